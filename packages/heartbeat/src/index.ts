export {
  Aggregator,
  type AggregatorEvents,
  type AggregatorOptions,
  aggregatorDefaults,
  type HistoryEntry,
  type NodeStatus,
} from './aggregator.js'
export {
  AggregatorNode,
  type AggregatorNodeOptions,
  aggregatorNodeDefaults,
} from './aggregator-node.js'
export type { AlertHandler, AlertKind, HeartbeatAlert, NodeState } from './alert.js'
export {
  alertsPeriod,
  alertsServiceOptions,
  createHeartbeatServices,
  heartbeatAlertsEnvVar,
} from './alerts-target.js'
export { type AggregatorCliIo, aggregatorUsage, runAggregatorCli } from './cli.js'
export { type HeartbeatConnector, type RlpxConnectorOptions, rlpxConnector } from './connector.js'
export { HeartbeatError, type HeartbeatErrorCode } from './errors.js'
export { type AggregatorHttpOptions, AggregatorHttpServer, aggregatorHttpDefaults } from './http.js'
export {
  beatMsgCode,
  type HeartbeatLink,
  HeartbeatProtocol,
  type HeartbeatProtocolEvents,
  type HeartbeatProtocolOptions,
  heartbeatProtocolDefaults,
  heartbeatProtocolLength,
  heartbeatProtocolName,
  heartbeatProtocolVersion,
} from './protocol.js'
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
export {
  type HeadInfo,
  HeartbeatService,
  type HeartbeatServiceEvents,
  type HeartbeatServiceOptions,
  heartbeatServiceDefaults,
} from './service.js'
export { Webhook, type WebhookOptions, webhookDefaults } from './webhook.js'
