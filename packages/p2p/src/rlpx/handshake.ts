import { randomBytes } from 'node:crypto'
import { type CryptoBackend, getCrypto } from '@x/core'
import { generatePrivateKey, type NodeId } from '@x/discover'
import { RlpxError } from '../errors.js'
import {
  type AckMsg,
  type AuthMsg,
  checkEphemeralHash,
  encodeAckBody,
  encodeAuthBody,
  type HandshakePacket,
  sealEip8,
} from './auth.js'
import { deriveSecrets, type Secrets, xor } from './secrets.js'

/**
 * The handshake steps as pure functions over packets (no I/O): initiator `makeAuth` →
 * recipient `handleAuth` (answers with ack) → initiator `handleAck`. Both ends get {@link Secrets}.
 */

export interface HandshakeOptions {
  /** Fixed ephemeral key and nonce, for vectors; random by default. */
  ephemeralKey?: Uint8Array
  nonce?: Uint8Array
  crypto?: CryptoBackend
}

/** What the initiator keeps between sending auth and reading ack. */
export interface InitiatorState {
  remoteId: NodeId
  ephemeralKey: Uint8Array
  nonce: Uint8Array
  authPacket: Uint8Array
}

function fail(message: string, cause?: unknown): RlpxError {
  return new RlpxError('ERR_BAD_HANDSHAKE', message, cause === undefined ? undefined : { cause })
}

/** Builds the initiator's EIP-8 auth packet for the node `remoteId`. */
export function makeAuth(
  privateKey: Uint8Array,
  remoteId: NodeId,
  options: HandshakeOptions = {},
): { state: InitiatorState; packet: Uint8Array } {
  const crypto = options.crypto ?? getCrypto()
  const ephemeralKey = options.ephemeralKey ?? generatePrivateKey()
  const nonce = options.nonce ?? new Uint8Array(randomBytes(32))
  const staticShared = crypto.ecdh(privateKey, remoteId)
  const signature = crypto.sign(xor(staticShared, nonce), ephemeralKey)
  const body = encodeAuthBody({
    signature,
    initiatorPubkey: crypto.publicKey(privateKey),
    initiatorNonce: nonce,
  })
  const packet = sealEip8(body, remoteId, crypto)
  return { state: { remoteId, ephemeralKey, nonce, authPacket: packet }, packet }
}

/** The initiator's ephemeral public key, recovered from the auth signature. */
export function recoverInitiatorEphemeral(
  privateKey: Uint8Array,
  auth: AuthMsg,
  crypto: CryptoBackend = getCrypto(),
): Uint8Array {
  let ephemeral: Uint8Array
  try {
    const staticShared = crypto.ecdh(privateKey, auth.initiatorPubkey)
    ephemeral = crypto.recover(xor(staticShared, auth.initiatorNonce), auth.signature)
  } catch (cause) {
    throw fail('auth: invalid initiator key or signature', cause)
  }
  checkEphemeralHash(auth, ephemeral, crypto)
  return ephemeral
}

/** Recipient: checks auth, answers with an EIP-8 ack packet, derives the secrets. */
export function handleAuth(
  privateKey: Uint8Array,
  auth: HandshakePacket<AuthMsg>,
  options: HandshakeOptions = {},
): { packet: Uint8Array; secrets: Secrets } {
  const crypto = options.crypto ?? getCrypto()
  const remoteEphemeralPubkey = recoverInitiatorEphemeral(privateKey, auth.msg, crypto)
  const ephemeralKey = options.ephemeralKey ?? generatePrivateKey()
  const nonce = options.nonce ?? new Uint8Array(randomBytes(32))
  const body = encodeAckBody({
    recipientEphemeralPubkey: crypto.publicKey(ephemeralKey),
    recipientNonce: nonce,
  })
  const packet = sealEip8(body, auth.msg.initiatorPubkey, crypto)
  const secrets = deriveSecrets(
    {
      initiator: false,
      ephemeralKey,
      remoteEphemeralPubkey,
      localNonce: nonce,
      remoteNonce: auth.msg.initiatorNonce,
      authPacket: auth.packet,
      ackPacket: packet,
      remoteId: auth.msg.initiatorPubkey,
    },
    crypto,
  )
  return { packet, secrets }
}

/** Initiator: derives the secrets from the recipient's ack. */
export function handleAck(
  state: InitiatorState,
  ack: HandshakePacket<AckMsg>,
  crypto: CryptoBackend = getCrypto(),
): Secrets {
  try {
    return deriveSecrets(
      {
        initiator: true,
        ephemeralKey: state.ephemeralKey,
        remoteEphemeralPubkey: ack.msg.recipientEphemeralPubkey,
        localNonce: state.nonce,
        remoteNonce: ack.msg.recipientNonce,
        authPacket: state.authPacket,
        ackPacket: ack.packet,
        remoteId: state.remoteId,
      },
      crypto,
    )
  } catch (cause) {
    throw fail('ack: invalid recipient ephemeral key', cause)
  }
}
