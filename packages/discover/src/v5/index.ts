export { DiscoveryV5, type DiscoveryV5Options } from './discv5.js'
export {
  collectTableNodes,
  lookupDistances,
  type NodeRejection,
  packNodes,
  verifyResponseRecord,
} from './nodes.js'
export {
  type LocalRecord,
  type TalkHandler,
  type UDPv5Events,
  type UDPv5Options,
  type UDPv5Stats,
  udpv5Defaults,
} from './options.js'
export { RecordStore } from './records.js'
export { type Challenge, type Session, SessionCache, WhoareyouLimiter } from './sessions.js'
export {
  SharedDiscovery,
  type SharedDiscoveryOptions,
  sharedSocketDefaults,
  UnhandledQueue,
} from './shared.js'
export { UDPv5 } from './udpv5.js'
