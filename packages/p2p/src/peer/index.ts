export { type MatchedProtocol, matchProtocols, protocolCaps } from './caps.js'
export { helloTimeout, type ProtoHandshakeOptions, protoHandshake } from './handshake.js'
export {
  type DisconnectInfo,
  disconnectWriteTimeout,
  idleTimeout,
  maxQueuedWriteBytes,
  Peer,
  type PeerOptions,
  pingInterval,
} from './peer.js'
export { protoQueueBytes, protoQueueCapacity } from './protorw.js'
export { disconnectReasonForError } from './reason.js'
