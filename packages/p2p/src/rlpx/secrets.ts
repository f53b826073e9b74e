import { type CryptoBackend, getCrypto, type Keccak, type NodeId } from '@x/discover'

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

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
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
  const shared = k(concat(ecdhe, k(concat(recipientNonce, initiatorNonce))))
  const aesSecret = k(concat(ecdhe, shared))
  const macSecret = k(concat(ecdhe, aesSecret))
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
