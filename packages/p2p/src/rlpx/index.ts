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
  readHandshakePacket,
  sealEip8,
} from './auth.js'
export { eciesDecrypt, eciesEncrypt, eciesOverhead } from './ecies.js'
export {
  type HandshakeOptions,
  handleAck,
  handleAuth,
  type InitiatorState,
  makeAuth,
  recoverInitiatorEphemeral,
} from './handshake.js'
export { deriveSecrets, type Secrets, type SecretsInput } from './secrets.js'
