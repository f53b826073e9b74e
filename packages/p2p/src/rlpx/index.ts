export {
  type AckMsg,
  type AuthMsg,
  decodeAckBody,
  decodeAuthBody,
  decodeLegacyAck,
  decodeLegacyAuth,
  encodeAckBody,
  encodeAuthBody,
  type HandshakeKind,
  type HandshakePacket,
  handshakeVersion,
  legacyAckSize,
  legacyAuthSize,
  maxHandshakePacketSize,
  readHandshakePacket,
  sealEip8,
} from './auth.js'
export {
  type HeldBytes,
  RlpxConnection,
  type RlpxConnectionOptions,
  rlpxLimits,
  rlpxTimeouts,
} from './connection.js'
export { eciesDecrypt, eciesEncrypt, eciesOverhead } from './ecies.js'
export {
  decodeMsgCode,
  encodeMsgCode,
  FrameReader,
  FrameWriter,
  maxFrameSize,
  maxMessageSize,
} from './frame.js'
export {
  type HandshakeOptions,
  handleAck,
  handleAuth,
  type InitiatorState,
  makeAuth,
  recoverInitiatorEphemeral,
} from './handshake.js'
export { FrameMac, macCipher } from './mac.js'
export { deriveSecrets, type Secrets, type SecretsInput } from './secrets.js'
export {
  type RlpxConnectOptions,
  type RlpxSessionOptions,
  rlpx,
  rlpxAccept,
  rlpxConnect,
} from './session.js'
export { snappyCompress, snappyDecodedLength, snappyUncompress } from './snappy.js'
