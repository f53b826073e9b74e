import { type Cipher, createCipheriv } from 'node:crypto'
import type { Keccak } from '@x/core'

/**
 * AES-256-ECB with mac-secret, one block at a time. Both directions' MACs use the same secret,
 * and ECB keeps no state between blocks, so one session needs one (an OpenSSL cipher context is
 * most of an idle session's native memory).
 */
export function macCipher(macSecret: Uint8Array): Cipher {
  return createCipheriv('aes-256-ecb', macSecret, null).setAutoPadding(false)
}

/**
 * One direction's frame MAC (rlpx.md "Framing"): a running keccak256 state, updated with
 * AES-256-ECB(mac-secret) of its own digest XOR a seed. The state is incremental: each frame
 * hashes only its own bytes.
 */
export class FrameMac {
  readonly #hash: Keccak
  readonly #ecb: Cipher
  /** The state's digest when nothing was absorbed since: a header MAC starts from it. */
  #digest: Uint8Array | undefined

  /** `macSecret` is the secret itself or a {@link macCipher} of it, shared with the other direction. */
  constructor(hash: Keccak, macSecret: Uint8Array | Cipher) {
    this.#hash = hash
    this.#ecb = macSecret instanceof Uint8Array ? macCipher(macSecret) : macSecret
  }

  /** header-mac = keccak.update(aes(mac-secret, keccak.digest()[:16]) ⊕ header-ciphertext)[:16] */
  header(headerCiphertext: Uint8Array): Uint8Array {
    return this.#compute(this.#digest ?? this.#hash.digest(), headerCiphertext)
  }

  /** frame-mac: the state absorbs the frame ciphertext, then is seeded with its own digest. */
  frame(frameCiphertext: Uint8Array): Uint8Array {
    this.#digest = undefined
    const seed = this.#hash.update(frameCiphertext).digest()
    return this.#compute(seed, seed)
  }

  #compute(sum: Uint8Array, seed: Uint8Array): Uint8Array {
    const block = this.#ecb.update(sum.subarray(0, 16))
    for (let i = 0; i < 16; i++) block[i]! ^= seed[i]!
    this.#digest = this.#hash.update(block).digest()
    return this.#digest.subarray(0, 16)
  }
}
