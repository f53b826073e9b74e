import { type CryptoBackend, concatBytes, getCrypto, type Keccak } from '@x/core'
import type { NodeId } from '@x/discover'

/**
 * The session secrets both sides derive after auth/ack (rlpx.md "Secrets"), and the two
 * running keccak MAC states, seeded once with the handshake packets and never rehashed.
 */
export interface Secrets {
  remoteId: NodeId
  aesSecret: Uint8Array
  macSecret: Uint8Array
  egressMac: Keccak
  ingressMac: Keccak
}

export interface SecretsInput {
  /** True on the side that sent auth. */
  initiator: boolean
  ephemeralKey: Uint8Array
  remoteEphemeralPubkey: Uint8Array
  localNonce: Uint8Array
  remoteNonce: Uint8Array
  /** The auth and ack packets as sent/received, size prefix included. */
  authPacket: Uint8Array
  ackPacket: Uint8Array
  remoteId: NodeId
}

export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!
  return out
}

/**
 * shared = keccak(ecdhe ‖ keccak(recipient-nonce ‖ initiator-nonce)); aes = keccak(ecdhe ‖ shared);
 * mac = keccak(ecdhe ‖ aes); egress = keccak(mac ⊕ remote-nonce ‖ sent packet), ingress =
 * keccak(mac ⊕ own-nonce ‖ received packet).
 */
export function deriveSecrets(input: SecretsInput, crypto: CryptoBackend = getCrypto()): Secrets {
  const k = crypto.keccak256
  const ecdhe = crypto.ecdh(input.ephemeralKey, input.remoteEphemeralPubkey)
  const [initiatorNonce, recipientNonce] = input.initiator
    ? [input.localNonce, input.remoteNonce]
    : [input.remoteNonce, input.localNonce]
  const shared = k(concatBytes(ecdhe, k(concatBytes(recipientNonce, initiatorNonce))))
  const aesSecret = k(concatBytes(ecdhe, shared))
  const macSecret = k(concatBytes(ecdhe, aesSecret))
  const [sent, received] = input.initiator
    ? [input.authPacket, input.ackPacket]
    : [input.ackPacket, input.authPacket]
  const egressMac = crypto.keccak256Stream().update(xor(macSecret, input.remoteNonce)).update(sent)
  const ingressMac = crypto
    .keccak256Stream()
    .update(xor(macSecret, input.localNonce))
    .update(received)
  return { remoteId: input.remoteId, aesSecret, macSecret, egressMac, ingressMac }
}
