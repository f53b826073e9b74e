import { createRequire } from 'node:module'
import { createKeccak, type IHasher } from 'hash-wasm'
import { nobleCrypto, toSec1 } from './noble.js'
import type { CryptoBackend, Keccak } from './types.js'

/** The subset of the `secp256k1` package (libsecp256k1 bindings) used here. */
interface NativeSecp256k1 {
  publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array
  ecdsaSign(digest: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number }
  ecdsaRecover(sig: Uint8Array, recid: number, digest: Uint8Array, compressed: boolean): Uint8Array
  ecdh(
    publicKey: Uint8Array,
    privateKey: Uint8Array,
    options: {
      hashfn: (x: Uint8Array, y: Uint8Array) => Uint8Array
      xbuf: Uint8Array
      ybuf: Uint8Array
    },
    output: Uint8Array,
  ): Uint8Array
  ecdsaVerify(sig: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): boolean
  publicKeyVerify(publicKey: Uint8Array): boolean
  publicKeyConvert(publicKey: Uint8Array, compressed: boolean): Uint8Array
}

/** The one WASM instance, and the stream whose state it holds live (no digest since). */
interface SharedKeccak {
  h: IHasher
  live: WasmKeccak | undefined
}

/**
 * keccak256 on one WASM instance. Incremental states are kept as saved WASM state (~400 bytes)
 * and loaded for each update, so any number of streams share one instance synchronously. A
 * stream that updates again, or digests, right after its own update skips the load (the frame
 * MAC's update-then-digest pairs): half the loads of an RLPx frame.
 */
class WasmKeccak implements Keccak {
  constructor(
    private readonly s: SharedKeccak,
    private state: Uint8Array,
  ) {}

  update(data: Uint8Array): this {
    const { s } = this
    if (s.live !== this) s.h.load(this.state)
    s.live = undefined
    s.h.update(data)
    this.state = s.h.save()
    s.live = this
    return this
  }

  digest(): Uint8Array {
    const { s } = this
    if (s.live !== this) s.h.load(this.state)
    // Digest finalizes the instance: the next use loads its state.
    s.live = undefined
    return s.h.digest('binary')
  }

  clone(): Keccak {
    return new WasmKeccak(this.s, this.state.slice())
  }
}

function loadNative(): NativeSecp256k1 | undefined {
  try {
    // `secp256k1/bindings` is the native addon alone; the package root silently falls back
    // to a slow pure-JS implementation, which must not pass for the fast backend.
    return createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp256k1
  } catch {
    return undefined
  }
}

function nativeSecp(
  native: NativeSecp256k1,
): Required<Omit<CryptoBackend, 'name' | 'keccak256' | 'keccak256Stream'>> {
  const xbuf = new Uint8Array(32)
  const ybuf = new Uint8Array(32)
  const hashfn = (x: Uint8Array) => x
  const compressed = (x: Uint8Array, y: Uint8Array) => {
    const out = new Uint8Array(33)
    out[0] = 2 | (y[31]! & 1)
    out.set(x, 1)
    return out
  }
  // One SEC1 buffer for validity checks (synchronous, so never shared by two calls at once).
  const sec1 = new Uint8Array(65)
  sec1[0] = 4
  return {
    publicKey: (privateKey) => native.publicKeyCreate(privateKey, false).subarray(1),
    sign(digest, privateKey) {
      const { signature, recid } = native.ecdsaSign(digest, privateKey)
      const out = new Uint8Array(65)
      out.set(signature, 0)
      out[64] = recid
      return out
    },
    recover(digest, signature) {
      if (signature.length !== 65) throw new RangeError('signature must be 65 bytes')
      const v = signature[64]!
      if (v > 1) throw new RangeError('signature recovery id must be 0 or 1')
      return native.ecdsaRecover(signature.subarray(0, 64), v, digest, false).subarray(1)
    },
    ecdh: (privateKey, publicKey) =>
      native
        .ecdh(toSec1(publicKey), privateKey, { hashfn, xbuf, ybuf }, new Uint8Array(32))
        .slice(),
    ecdhCompressed: (privateKey, publicKey) =>
      native.ecdh(
        toSec1(publicKey),
        privateKey,
        { hashfn: compressed, xbuf, ybuf },
        new Uint8Array(33),
      ),
    verify(digest, signature, publicKey) {
      // libsecp256k1 rejects a signature whose s is in the upper half, as noble and geth do.
      try {
        return native.ecdsaVerify(signature, digest, publicKey)
      } catch {
        return false
      }
    },
    isValidPublicKey(publicKey) {
      if (publicKey.length !== 64) return false
      sec1.set(publicKey, 1)
      return native.publicKeyVerify(sec1)
    },
    decompressPublicKey(publicKey) {
      if (publicKey.length !== 33) throw new RangeError('compressed public key must be 33 bytes')
      return native.publicKeyConvert(publicKey, false).subarray(1)
    },
  }
}

export interface FastCryptoOptions {
  /** Use libsecp256k1 when its binary loads (default true). */
  native?: boolean
  /** Use WASM keccak (default true). */
  wasm?: boolean
}

/**
 * The fast backend: WASM keccak (portable) and native libsecp256k1 when its binary loads,
 * each falling back to noble. `name` says which parts are fast.
 */
export async function createFastCrypto(options: FastCryptoOptions = {}): Promise<CryptoBackend> {
  const native = options.native === false ? undefined : loadNative()
  const secp = native ? nativeSecp(native) : nobleCrypto
  let keccak: Pick<CryptoBackend, 'keccak256' | 'keccak256Stream'> = nobleCrypto
  if (options.wasm !== false) {
    const h = await createKeccak(256)
    h.init()
    const initial = h.save()
    const shared: SharedKeccak = { h, live: undefined }
    keccak = {
      keccak256(data) {
        shared.live = undefined
        h.init()
        h.update(data)
        return h.digest('binary')
      },
      keccak256Stream: () => new WasmKeccak(shared, initial.slice()),
    }
  }
  const parts = [
    keccak === nobleCrypto ? 'noble-keccak' : 'wasm-keccak',
    native ? 'libsecp256k1' : 'noble-secp256k1',
  ]
  return {
    name: parts.join('+'),
    keccak256: keccak.keccak256,
    keccak256Stream: keccak.keccak256Stream,
    publicKey: secp.publicKey,
    sign: secp.sign,
    recover: secp.recover,
    ecdh: secp.ecdh,
    ecdhCompressed: secp.ecdhCompressed,
    verify: secp.verify,
    isValidPublicKey: secp.isValidPublicKey,
    decompressPublicKey: secp.decompressPublicKey,
  }
}
