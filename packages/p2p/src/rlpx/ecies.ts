import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto'
import { type CryptoBackend, getCrypto } from '@x/core'
import { generatePrivateKey } from '@x/discover'
import { RlpxError } from '../errors.js'

/**
 * ECIES as RLPx uses it (rlpx.md, "ECIES Encryption"): secp256k1 ECDH, NIST SP 800-56
 * concatenation KDF with SHA-256, AES-128-CTR and HMAC-SHA-256. The wire form is
 * `0x04 ‖ R(64) ‖ iv(16) ‖ c ‖ d(32)`; EIP-8 passes its 2-byte size prefix as `sharedMacData`.
 */

/** Bytes ECIES adds to a plaintext: the ephemeral point (65), the IV (16) and the HMAC (32). */
export const eciesOverhead = 65 + 16 + 32

/** NIST SP 800-56 concatenation KDF, SHA-256, no other info, 32 bytes (one round). */
function concatKdf32(z: Uint8Array): Uint8Array {
  const counter = new Uint8Array([0, 0, 0, 1])
  return createHash('sha256').update(counter).update(z).digest()
}

function keys(z: Uint8Array): { encKey: Uint8Array; macKey: Uint8Array } {
  const k = concatKdf32(z)
  return {
    encKey: k.subarray(0, 16),
    macKey: createHash('sha256').update(k.subarray(16, 32)).digest(),
  }
}

function hmac(
  macKey: Uint8Array,
  ivAndCiphertext: Uint8Array,
  sharedMacData: Uint8Array,
): Uint8Array {
  return createHmac('sha256', macKey).update(ivAndCiphertext).update(sharedMacData).digest()
}

/** Encrypts `plaintext` to the 64-byte public key `remotePublic`. */
export function eciesEncrypt(
  remotePublic: Uint8Array,
  plaintext: Uint8Array,
  sharedMacData: Uint8Array = new Uint8Array(0),
  crypto: CryptoBackend = getCrypto(),
): Uint8Array {
  const ephemeral = generatePrivateKey()
  const { encKey, macKey } = keys(crypto.ecdh(ephemeral, remotePublic))
  const out = new Uint8Array(eciesOverhead + plaintext.length)
  out[0] = 0x04
  out.set(crypto.publicKey(ephemeral), 1)
  const iv = randomBytes(16)
  out.set(iv, 65)
  const cipher = createCipheriv('aes-128-ctr', encKey, iv)
  const c = cipher.update(plaintext)
  out.set(c, 81)
  const tagAt = 81 + plaintext.length
  out.set(hmac(macKey, out.subarray(65, tagAt), sharedMacData), tagAt)
  return out
}

/** Decrypts an ECIES message with our private key; a bad point or HMAC is an `ERR_ECIES`. */
export function eciesDecrypt(
  privateKey: Uint8Array,
  message: Uint8Array,
  sharedMacData: Uint8Array = new Uint8Array(0),
  crypto: CryptoBackend = getCrypto(),
): Uint8Array {
  if (message.length < eciesOverhead) {
    throw new RlpxError('ERR_ECIES', `ECIES message too short (${message.length} bytes)`)
  }
  if (message[0] !== 0x04) throw new RlpxError('ERR_ECIES', 'ECIES: ephemeral key not uncompressed')
  let z: Uint8Array
  try {
    z = crypto.ecdh(privateKey, message.subarray(1, 65))
  } catch (cause) {
    throw new RlpxError('ERR_ECIES', 'ECIES: invalid ephemeral public key', { cause })
  }
  const { encKey, macKey } = keys(z)
  const tagAt = message.length - 32
  const expected = hmac(macKey, message.subarray(65, tagAt), sharedMacData)
  if (!constantTimeEqual(expected, message.subarray(tagAt))) {
    throw new RlpxError('ERR_ECIES', 'ECIES: HMAC mismatch')
  }
  const decipher = createDecipheriv('aes-128-ctr', encKey, message.subarray(65, 81))
  return new Uint8Array(decipher.update(message.subarray(81, tagAt)))
}

/** Equality without an early exit, for MACs. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}
