import { type CryptoBackend, toHex } from '@x/core'

/** A crypto backend for simulations whose signatures cost nothing; `real` switches it back. */
export interface SimCryptoBackend extends CryptoBackend {
  /** While true, `sign` and `recover` are the base backend's (node records are signed so). */
  real: boolean
}

/** Public keys computed per private key, at most this many (a simulation's node count). */
const maxKeys = 100_000

/**
 * A simulation-only backend: keccak256 and ECDH are the base backend's, but a "signature" is
 * the signer's public key followed by a zero recovery byte, and "recovery" reads it back. Every
 * packet still goes through the whole codec (hashes, RLP, the recovered sender ID), without the
 * ~150 µs of secp256k1 per packet that would dominate a thousand-node run. There is no security
 * in it: never use it outside a simulation. Node records are verified with real secp256k1
 * elsewhere, so they are signed with `real` set (the simulator does this when it starts a node).
 */
export function simCrypto(base: CryptoBackend): SimCryptoBackend {
  const pubs = new Map<string, Uint8Array>()
  // A node signs with the same key array every time: look it up by identity first.
  const byArray = new WeakMap<Uint8Array, Uint8Array>()
  const publicKey = (privateKey: Uint8Array) => {
    const known = byArray.get(privateKey)
    if (known) return known
    const k = toHex(privateKey)
    let pub = pubs.get(k)
    if (!pub) {
      pub = base.publicKey(privateKey)
      if (pubs.size >= maxKeys) pubs.delete(pubs.keys().next().value as string)
      pubs.set(k, pub)
    }
    byArray.set(privateKey, pub)
    return pub
  }
  const backend: SimCryptoBackend = {
    name: `sim-signatures+${base.name}`,
    real: false,
    keccak256: base.keccak256,
    keccak256Stream: base.keccak256Stream,
    publicKey,
    sign(digest, privateKey) {
      if (backend.real) return base.sign(digest, privateKey)
      const out = new Uint8Array(65)
      out.set(publicKey(privateKey))
      return out
    },
    recover(digest, signature) {
      if (backend.real) return base.recover(digest, signature)
      if (signature.length !== 65) throw new RangeError('signature must be 65 bytes')
      return signature.slice(0, 64)
    },
    ecdh: base.ecdh,
    // Record signatures and node IDs are checked for real (no packet signature goes here).
    verify: base.verify,
    isValidPublicKey: base.isValidPublicKey,
    decompressPublicKey: base.decompressPublicKey,
  }
  return backend
}
