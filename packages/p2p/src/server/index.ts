export { type ConnFailureKind, connFailureKind } from './failure.js'
export { hostPort, type NodeInfo, type PeerInfo } from './info.js'
export { InboundThrottle, maxThrottled } from './listen.js'
export type { InboundConn, Listener, LocalIdentity, Network } from './network.js'
export {
  type DiscoveryV4Config,
  type DiscoveryV5Config,
  type ServerEvents,
  type ServerOptions,
  type SetupStage,
  serverDefaults,
} from './options.js'
export { Server } from './server.js'
export {
  type RlpxHandshaker,
  type RlpxTimeouts,
  type TcpNetworkOptions,
  tcpNetwork,
} from './tcp.js'
