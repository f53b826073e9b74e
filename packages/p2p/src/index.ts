export { type ConnectPeerOptions, connectPeer } from './connect.js'
export {
  type DialDiscovery,
  type DialKind,
  DialScheduler,
  type DialSchedulerOptions,
  dialDefaults,
} from './dial/index.js'
export {
  DisconnectError,
  DisconnectReason,
  disconnectReasonText,
  HelloError,
  InvalidCidrError,
  InvalidMsgCodeError,
  P2PError,
  PeerClosedError,
  PipeClosedError,
  RemoteDisconnectError,
  RlpxError,
  type RlpxErrorCode,
  TimeoutError,
  UnexpectedMsgError,
} from './errors.js'
export { expectMsg } from './expect.js'
export {
  baseProtocolLength,
  baseProtocolVersion,
  type Cap,
  decodeDisconnect,
  decodeHello,
  disconnectCode,
  emptyListPayload,
  encodeDisconnect,
  encodeHello,
  type Hello,
  helloCode,
  maxHelloSize,
  pingCode,
  pongCode,
} from './hello.js'
export type { Msg, MsgReader, MsgReadWriter, MsgWriter, Transport } from './message.js'
export type { MsgEvent, MsgEventSink } from './metered.js'
export {
  type DisconnectInfo,
  disconnectReasonForError,
  disconnectWriteTimeout,
  helloTimeout,
  idleTimeout,
  type MatchedProtocol,
  matchProtocols,
  Peer,
  type PeerOptions,
  type ProtoHandshakeOptions,
  pingInterval,
  protocolCaps,
  protoHandshake,
  protoQueueCapacity,
} from './peer/index.js'
export { type MsgPipeEnd, type MsgPipeOptions, msgPipe } from './pipe.js'
export type { Protocol, ProtocolPeer } from './protocol.js'
export { readMsgs } from './read.js'
export * from './rlpx/index.js'
export { send, sendItems } from './send.js'
export {
  type DiscoveryV4Config,
  type InboundConn,
  InboundThrottle,
  isLanIp,
  type Listener,
  type LocalIdentity,
  maxThrottled,
  NetRestrict,
  type Network,
  type NodeInfo,
  type PeerInfo,
  type RlpxHandshaker,
  type RlpxTimeouts,
  Server,
  type ServerEvents,
  type ServerOptions,
  serverDefaults,
  type TcpNetworkOptions,
  tcpNetwork,
} from './server/index.js'
