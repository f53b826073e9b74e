import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import type { CryptoBackend, Keccak } from './types.js'

type NobleHash = ReturnType<typeof keccak_256.create>

class NobleKeccak implements Keccak {
  constructor(private readonly h: NobleHash = keccak_256.create()) {}

  update(data: Uint8Array): this {
    this.h.update(data)
    return this
  }

  digest(): Uint8Array {
    return this.h.clone().digest()
  }

  clone(): Keccak {
    return new NobleKeccak(this.h.clone())
  }
}

/** 0x04 ‖ X ‖ Y, the SEC1 form noble expects, from devp2p's 64-byte X ‖ Y. */
export function toSec1(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 64) throw new RangeError('public key must be 64 bytes')
  const out = new Uint8Array(65)
  out[0] = 4
  out.set(publicKey, 1)
  return out
}

/** `CryptoBackend.verify` on noble (the fallback of backends without it). */
export function nobleVerify(digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) {
  try {
    return secp256k1.verify(signature, digest, publicKey, { prehash: false, format: 'compact' })
  } catch {
    return false
  }
}

/** `CryptoBackend.isValidPublicKey` on noble. */
export function nobleIsValidPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 64) return false
  try {
    secp256k1.Point.fromBytes(toSec1(publicKey)).assertValidity()
    return true
  } catch {
    return false
  }
}

/** `CryptoBackend.decompressPublicKey` on noble. */
export function nobleDecompressPublicKey(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 33) throw new RangeError('compressed public key must be 33 bytes')
  return secp256k1.Point.fromBytes(publicKey).toBytes(false).subarray(1)
}

/**
 * Pure JavaScript backend on @noble/curves and @noble/hashes: audited and portable, the default.
 * noble's recovered format is recovery ‖ r ‖ s; devp2p's is r ‖ s ‖ v, converted here only.
 */
/** The 33-byte compressed shared point (Discovery v5's `ecdh`). */
export function nobleEcdhCompressed(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return secp256k1.getSharedSecret(privateKey, toSec1(publicKey), true)
}

export const nobleCrypto: CryptoBackend = {
  name: 'noble',
  keccak256: (data) => keccak_256(data),
  keccak256Stream: () => new NobleKeccak(),
  publicKey: (privateKey) => secp256k1.getPublicKey(privateKey, false).subarray(1),
  sign(digest, privateKey) {
    const sig = secp256k1.sign(digest, privateKey, { prehash: false, format: 'recovered' })
    const out = new Uint8Array(65)
    out.set(sig.subarray(1, 65), 0)
    out[64] = sig[0]!
    return out
  },
  recover(digest, signature) {
    if (signature.length !== 65) throw new RangeError('signature must be 65 bytes')
    const v = signature[64]!
    if (v > 1) throw new RangeError('signature recovery id must be 0 or 1')
    const sig = new Uint8Array(65)
    sig[0] = v
    sig.set(signature.subarray(0, 64), 1)
    const compressed = secp256k1.recoverPublicKey(sig, digest, { prehash: false })
    return secp256k1.Point.fromBytes(compressed).toBytes(false).subarray(1)
  },
  ecdh: (privateKey, publicKey) =>
    secp256k1.getSharedSecret(privateKey, toSec1(publicKey), true).subarray(1, 33),
  ecdhCompressed: nobleEcdhCompressed,
  verify: nobleVerify,
  isValidPublicKey: nobleIsValidPublicKey,
  decompressPublicKey: nobleDecompressPublicKey,
}
