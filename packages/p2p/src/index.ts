export { DisconnectReason, disconnectReasonText, P2PError } from './errors.js'
export { expectMsg, UnexpectedMsgError } from './expect.js'
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
  HelloError,
  helloCode,
  maxHelloSize,
  pingCode,
  pongCode,
} from './hello.js'
export type { Msg, MsgReader, MsgReadWriter, MsgWriter, Transport } from './message.js'
export { type MsgPipeEnd, type MsgPipeOptions, msgPipe, PipeClosedError } from './pipe.js'
export { DisconnectError, type Protocol, type ProtocolPeer } from './protocol.js'
export { send, sendItems } from './send.js'
