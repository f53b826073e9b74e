export { formatDuration, maxDuration, parseDuration } from './duration.js'
export { HeartbeatError, type HeartbeatErrorCode } from './errors.js'
export {
  addressSize,
  decodeHeartbeat,
  encodeHeartbeat,
  type HeartbeatJson,
  type HeartbeatRecord,
  headSize,
  heartbeatFromJson,
  heartbeatRecordVersion,
  heartbeatToJson,
  maxClientVersionLength,
  maxHeartbeatSize,
  maxNicknameLength,
  nodeIdSize,
  zeroAddress,
} from './record.js'
