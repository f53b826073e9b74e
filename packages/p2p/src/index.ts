export { DisconnectReason, disconnectReasonText, P2PError } from './errors.js'
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
