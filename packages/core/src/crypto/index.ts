import { secp256k1 } from '@noble/curves/secp256k1.js'
import { createFastCrypto, type FastCryptoOptions } from './fast.js'
import {
  nobleCrypto,
  nobleDecompressPublicKey,
  nobleEcdhCompressed,
  nobleIsValidPublicKey,
  nobleVerify,
  toSec1,
} from './noble.js'
import type { CryptoBackend } from './types.js'

export type { FastCryptoOptions } from './fast.js'
export type { CryptoBackend, Keccak } from './types.js'
export { createFastCrypto, nobleCrypto }

let active: CryptoBackend = nobleCrypto

/**
 * The process-wide crypto backend every component uses unless given one. It starts as noble;
 * an application switches once at startup with `useFastCrypto()` (or `setCrypto`).
 */
export function getCrypto(): CryptoBackend {
  return active
}

export function setCrypto(backend: CryptoBackend): void {
  active = backend
}

/** Loads the fast backend and makes it the process-wide one. Returns it so callers can log `name`. */
export async function useFastCrypto(options?: FastCryptoOptions): Promise<CryptoBackend> {
  active = await createFastCrypto(options)
  return active
}

/** `verify` of the active backend, noble's where it has none. */
export function verifySignature(
  digest: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  return (active.verify ?? nobleVerify)(digest, signature, publicKey)
}

/** `isValidPublicKey` of the active backend (64 bytes X ‖ Y on the curve), noble's where it has none. */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  return (active.isValidPublicKey ?? nobleIsValidPublicKey)(publicKey)
}

/** The 64-byte X ‖ Y of a 33-byte compressed key, by the active backend or noble; throws if none. */
export function decompressPublicKey(publicKey: Uint8Array): Uint8Array {
  return (active.decompressPublicKey ?? nobleDecompressPublicKey)(publicKey)
}

/**
 * The 33-byte compressed point privateKey × publicKey (`0x02|parity(y) ‖ x`; Discovery v5's
 * `ecdh`), by the active backend or noble. `publicKey` is 64 bytes (X ‖ Y) or SEC1.
 */
export function ecdhCompressed(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return (active.ecdhCompressed ?? nobleEcdhCompressed)(privateKey, publicKey)
}

/** The 33-byte compressed form of a 64-byte X ‖ Y public key; throws if it is not a point. */
export function compressPublicKey(publicKey: Uint8Array): Uint8Array {
  return secp256k1.Point.fromBytes(toSec1(publicKey)).toBytes(true)
}
