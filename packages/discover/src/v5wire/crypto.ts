import { createCipheriv, createDecipheriv } from 'node:crypto'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import {
  concatBytes,
  decompressPublicKey,
  ecdhCompressed,
  getCrypto,
  verifySignature,
} from '@x/core'
import { V5PacketError } from '../errors.js'

/**
 * The "v4" identity scheme's handshake cryptography (discv5-theory.md, "Identity-Specific
 * Cryptography in the Handshake") and the packet ciphers of discv5-wire.md.
 */

const keyAgreementText = new TextEncoder().encode('discovery v5 key agreement')
const idProofText = new TextEncoder().encode('discovery v5 identity proof')

/** Bytes of an AES-GCM authentication tag, appended to every message ciphertext. */
export const gcmTagSize = 16

/** Session keys of one handshake, named from the initiator's side. */
export interface SessionKeys {
  initiatorKey: Uint8Array
  recipientKey: Uint8Array
}

/**
 * `ecdh(pubkey, privkey)`: the 33-byte compressed point pubkey × privkey (`y-parity ‖ x`).
 * `publicKey` is 33 (compressed) or 64 bytes (X ‖ Y).
 */
export function ecdh(publicKey: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return ecdhCompressed(
    privateKey,
    publicKey.length === 33 ? decompressPublicKey(publicKey) : publicKey,
  )
}

/**
 * The handshake's key derivation: `prk = HKDF-Extract(challenge-data, secret)`, `key-data =
 * HKDF-Expand(prk, "discovery v5 key agreement" ‖ node-id-A ‖ node-id-B)`, 32 bytes split in
 * the initiator key and the recipient key. `secret` is {@link ecdh}'s output.
 */
export function deriveKeys(
  secret: Uint8Array,
  initiatorId: Uint8Array,
  recipientId: Uint8Array,
  challengeData: Uint8Array,
): SessionKeys {
  const info = concatBytes(keyAgreementText, initiatorId, recipientId)
  const kd = hkdf(sha256, secret, challengeData, info, 32)
  return { initiatorKey: kd.slice(0, 16), recipientKey: kd.slice(16, 32) }
}

/** sha256("discovery v5 identity proof" ‖ challenge-data ‖ ephemeral-pubkey ‖ node-id-B). */
export function idSignatureDigest(
  challengeData: Uint8Array,
  ephemeralPubkey: Uint8Array,
  destId: Uint8Array,
): Uint8Array {
  return sha256(concatBytes(idProofText, challengeData, ephemeralPubkey, destId))
}

/** `id-signature`: the 64-byte r ‖ s signature of {@link idSignatureDigest} by our static key. */
export function makeIdSignature(
  privateKey: Uint8Array,
  challengeData: Uint8Array,
  ephemeralPubkey: Uint8Array,
  destId: Uint8Array,
): Uint8Array {
  const digest = idSignatureDigest(challengeData, ephemeralPubkey, destId)
  return getCrypto().sign(digest, privateKey).slice(0, 64)
}

/** True if `signature` is the id-signature of the node whose 64-byte public key is `publicKey`. */
export function verifyIdSignature(
  signature: Uint8Array,
  publicKey: Uint8Array,
  challengeData: Uint8Array,
  ephemeralPubkey: Uint8Array,
  destId: Uint8Array,
): boolean {
  if (signature.length !== 64) return false
  const digest = idSignatureDigest(challengeData, ephemeralPubkey, destId)
  const sec1 = publicKey.length === 64 ? concatBytes(Uint8Array.of(4), publicKey) : publicKey
  return verifySignature(digest, signature, sec1)
}

/** A fresh ephemeral key pair: the private key and its 33-byte compressed public key. */
export function generateEphemeralKey(): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const privateKey = secp256k1.utils.randomSecretKey()
  const xy = getCrypto().publicKey(privateKey)
  const publicKey = new Uint8Array(33)
  publicKey[0] = 2 | (xy[63]! & 1)
  publicKey.set(xy.subarray(0, 32), 1)
  return { privateKey, publicKey }
}

/** The 64-byte X ‖ Y of a 33-byte ephemeral key; throws `ERR_V5_BAD_EPHEMERAL_KEY`. */
export function decodeEphemeralKey(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 33) {
    throw new V5PacketError('ERR_V5_BAD_EPHEMERAL_KEY', 'ephemeral key must be 33 bytes')
  }
  try {
    return decompressPublicKey(publicKey)
  } catch (cause) {
    throw new V5PacketError('ERR_V5_BAD_EPHEMERAL_KEY', 'ephemeral key is not on secp256k1', {
      cause,
    })
  }
}

/**
 * AES-128-CTR over `data` with `key` and `iv` (16 bytes each): the header masking, where the key
 * is `dest-id[:16]` and the iv the packet's `masking-iv`. Encrypting and decrypting are the same.
 */
export function aesCtr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ctr', key, iv)
  const out = c.update(data)
  c.final()
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

/** `aesgcm_encrypt(key, nonce, pt, ad)`: ciphertext ‖ 16-byte tag. */
export function encryptGcm(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  ad: Uint8Array,
): Uint8Array {
  const c = createCipheriv('aes-128-gcm', key, nonce)
  c.setAAD(ad)
  const body = c.update(plaintext)
  c.final()
  return concatBytes(body, c.getAuthTag())
}

/** Opens an {@link encryptGcm} ciphertext; throws `ERR_V5_DECRYPT` when it does not authenticate. */
export function decryptGcm(
  key: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  ad: Uint8Array,
): Uint8Array {
  if (ciphertext.length < gcmTagSize) {
    throw new V5PacketError('ERR_V5_DECRYPT', 'message shorter than its tag')
  }
  try {
    const d = createDecipheriv('aes-128-gcm', key, nonce)
    d.setAAD(ad)
    d.setAuthTag(ciphertext.subarray(ciphertext.length - gcmTagSize))
    const body = d.update(ciphertext.subarray(0, ciphertext.length - gcmTagSize))
    d.final()
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  } catch (cause) {
    throw new V5PacketError('ERR_V5_DECRYPT', 'message does not authenticate', { cause })
  }
}
