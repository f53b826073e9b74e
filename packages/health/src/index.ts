export {
  type AnnouncedCap,
  type CheckDialer,
  type CheckDialOptions,
  type CheckNodeOptions,
  type CheckSession,
  checkNode,
  checkNodeDefaults,
  defaultCheckCaps,
  sharedCapOffset,
} from './checker/check.js'
export {
  type CheckCliArgs,
  type CheckCliIo,
  checkUsage,
  parseCheckArgs,
  runCheckCli,
} from './checker/cli.js'
export { type NetworkDialerOptions, networkDialer, rlpxCheckDialer } from './checker/dial.js'
export {
  type CheckName,
  type CheckReport,
  type CheckStep,
  formatReport,
  type RemoteInfo,
  reportOk,
} from './checker/report.js'
export { HealthError, type HealthErrorCode } from './errors.js'
export {
  type HealthHttpOptions,
  HealthHttpServer,
  healthHttpDefaults,
  type PostHandler,
} from './http.js'
export {
  type BasePing,
  LivenessMonitor,
  type LivenessMonitorOptions,
  type LivePeer,
  livenessDefaults,
  type PeerMsgEvent,
} from './liveness.js'
export { NodeHealth, type NodeHealthOptions } from './node-health.js'
export { PingProtocol, type PingProtocolOptions, pingProtocolDefaults } from './ping/protocol.js'
export {
  decodePingMsg,
  encodePingMsg,
  maxPingMsgSize,
  pingMsgCode,
  pingNonceSize,
  pingProtocolLength,
  pingProtocolName,
  pingProtocolVersion,
  pongMsgCode,
} from './ping/wire.js'
export { type DisconnectPeer, dropUnhealthyPeers, unhealthyDropReason } from './policy.js'
export {
  checkReadiness,
  type DiscoveryProbe,
  type DiscoverySource,
  discoveryRunning,
  type Readiness,
  type ReadinessSource,
} from './readiness.js'
export { attachServer, serverDisconnect, serverReadiness } from './server.js'
export {
  type Classification,
  classify,
  type HealthState,
  type HealthThresholds,
  healthThresholdDefaults,
  resolveThresholds,
} from './state.js'
export {
  percentile,
  RttStats,
  type RttStatsOptions,
  type RttSummary,
  rttStatsDefaults,
} from './stats.js'
export {
  checkTcp,
  type TcpCheckOptions,
  type TcpCheckResult,
  type TcpFailureKind,
  tcpCheckDefaults,
  tcpFailure,
  tcpFailureCodes,
  tcpFailureKind,
} from './tcp.js'
export {
  type FailureKind,
  type HealthStateChange,
  HealthTracker,
  type HealthTrackerEvents,
  type HealthTrackerOptions,
  healthTrackerDefaults,
  type PeerHealth,
  type PeerIdentity,
  type RttSample,
  type RttSource,
} from './tracker.js'
