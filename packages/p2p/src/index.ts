export { DisconnectReason, disconnectReasonText, P2PError } from './errors.js'
export type { Msg, MsgReader, MsgReadWriter, MsgWriter, Transport } from './message.js'
