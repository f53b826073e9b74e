import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { type CryptoBackend, createFastCrypto, nobleCrypto } from '../src/index.js'
import { discv4, hex, vectorKeys } from './fixtures.js'

const generatePrivateKey = (): Uint8Array => secp256k1.utils.randomSecretKey()

const backends: [string, () => Promise<CryptoBackend>][] = [
  ['noble', async () => nobleCrypto],
  ['fast (default)', () => createFastCrypto()],
  ['fast, wasm keccak only', () => createFastCrypto({ native: false })],
  ['fast, native secp256k1 only', () => createFastCrypto({ wasm: false })],
]

describe.each(backends)('crypto backend: %s', (_label, make) => {
  it('keccak256 of known inputs', async () => {
    const c = await make()
    expect(bytesToHex(c.keccak256(new Uint8Array(0)))).toBe(
      'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    )
    expect(bytesToHex(c.keccak256(utf8ToBytes('abc')))).toBe(
      '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45',
    )
  })

  it('keccak256 streams are incremental, digest does not finalize, clones are independent', async () => {
    const c = await make()
    const s = c.keccak256Stream().update(utf8ToBytes('a'))
    expect(s.digest()).toEqual(c.keccak256(utf8ToBytes('a')))
    const fork = s.clone()
    s.update(utf8ToBytes('bc'))
    expect(s.digest()).toEqual(c.keccak256(utf8ToBytes('abc')))
    expect(fork.digest()).toEqual(c.keccak256(utf8ToBytes('a')))
    fork.update(utf8ToBytes('x'))
    expect(fork.digest()).toEqual(c.keccak256(utf8ToBytes('ax')))
    expect(s.digest()).toEqual(c.keccak256(utf8ToBytes('abc')))
  })

  it('interleaved streams and one-shot hashes agree with noble (shared WASM instance)', async () => {
    const c = await make()
    const streams = [0, 1, 2].map(() => ({
      ours: c.keccak256Stream(),
      ref: nobleCrypto.keccak256Stream(),
    }))
    let seed = 7
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    for (let i = 0; i < 600; i++) {
      const op = rand(5)
      const st = streams[rand(streams.length)]!
      if (op <= 1) {
        const data = Uint8Array.from({ length: rand(300) }, () => rand(256))
        st.ours.update(data)
        st.ref.update(data)
      } else if (op === 2) {
        expect(bytesToHex(st.ours.digest())).toBe(bytesToHex(st.ref.digest()))
      } else if (op === 3) {
        const data = Uint8Array.from({ length: rand(200) }, () => rand(256))
        expect(bytesToHex(c.keccak256(data))).toBe(bytesToHex(nobleCrypto.keccak256(data)))
      } else {
        streams.push({ ours: st.ours.clone(), ref: st.ref.clone() })
      }
    }
    for (const st of streams) expect(bytesToHex(st.ours.digest())).toBe(bytesToHex(st.ref.digest()))
  })

  it.each(vectorKeys)('public key of the $name key matches the vector', async ({ key, pub }) => {
    const c = await make()
    expect(bytesToHex(c.publicKey(hex(key)))).toBe(pub)
  })

  it('recovers the signer of every discv4 vector packet', async () => {
    const c = await make()
    for (const p of discv4.packets) {
      const packet = hex(p.hex)
      const sig = packet.subarray(32, 97)
      const digest = c.keccak256(packet.subarray(97))
      expect(bytesToHex(c.recover(digest, sig)), p.name).toBe(discv4.signer_public_key.hex)
    }
  })

  it('sign produces r ‖ s ‖ v that recovers to the signer, and agrees with noble', async () => {
    const c = await make()
    const key = generatePrivateKey()
    const digest = c.keccak256(utf8ToBytes('devp2p'))
    const sig = c.sign(digest, key)
    expect(sig.length).toBe(65)
    expect(sig[64]).toBeLessThanOrEqual(1)
    expect(c.recover(digest, sig)).toEqual(c.publicKey(key))
    // RFC 6979 signatures are deterministic, so every backend signs identically.
    expect(sig).toEqual(nobleCrypto.sign(digest, key))
  })

  it('rejects a signature with a recovery id above 1', async () => {
    const c = await make()
    const sig = new Uint8Array(65).fill(1)
    sig[64] = 27
    expect(() => c.recover(new Uint8Array(32), sig)).toThrow()
  })

  it('ecdh agrees between both sides and with noble', async () => {
    const c = await make()
    const a = generatePrivateKey()
    const b = generatePrivateKey()
    const ab = c.ecdh(a, c.publicKey(b))
    expect(ab.length).toBe(32)
    expect(ab).toEqual(c.ecdh(b, c.publicKey(a)))
    expect(ab).toEqual(nobleCrypto.ecdh(a, nobleCrypto.publicKey(b)))
  })

  it('verify accepts a low-s signature of the key and rejects anything else', async () => {
    const c = await make()
    const key = generatePrivateKey()
    const pub = secp256k1.getPublicKey(key, true)
    const digest = c.keccak256(utf8ToBytes('enr'))
    const sig = secp256k1.sign(digest, key, { prehash: false, format: 'compact' })
    expect(c.verify?.(digest, sig, pub)).toBe(true)
    expect(c.verify?.(digest, sig, secp256k1.getPublicKey(key, false))).toBe(true)
    expect(c.verify?.(c.keccak256(utf8ToBytes('other')), sig, pub)).toBe(false)
    expect(c.verify?.(digest, sig, secp256k1.getPublicKey(generatePrivateKey(), true))).toBe(false)
    // The same signature with s' = n − s (go-ethereum rejects the malleable form).
    const s = BigInt(`0x${bytesToHex(sig.subarray(32))}`)
    const high = sig.slice()
    high.set(hexToBytes((secp256k1.Point.CURVE().n - s).toString(16).padStart(64, '0')), 32)
    expect(c.verify?.(digest, high, pub)).toBe(false)
    // r ≥ n, a truncated signature, a key that is not a point.
    expect(c.verify?.(digest, new Uint8Array(64).fill(0xff), pub)).toBe(false)
    expect(c.verify?.(digest, sig.subarray(0, 63), pub)).toBe(false)
    expect(c.verify?.(digest, sig, new Uint8Array(33).fill(2))).toBe(false)
  })

  it('isValidPublicKey says whether X ‖ Y is on the curve', async () => {
    const c = await make()
    const pub = c.publicKey(generatePrivateKey())
    expect(c.isValidPublicKey?.(pub)).toBe(true)
    const off = pub.slice()
    off[63]! ^= 1
    expect(c.isValidPublicKey?.(off)).toBe(false)
    expect(c.isValidPublicKey?.(new Uint8Array(64))).toBe(false)
    expect(c.isValidPublicKey?.(new Uint8Array(64).fill(0xff))).toBe(false)
    expect(c.isValidPublicKey?.(pub.subarray(0, 63))).toBe(false)
  })

  it('decompressPublicKey gives X ‖ Y of a compressed key, and throws for a non-point', async () => {
    const c = await make()
    const key = generatePrivateKey()
    expect(c.decompressPublicKey?.(secp256k1.getPublicKey(key, true))).toEqual(c.publicKey(key))
    const bad = new Uint8Array(33).fill(0xff)
    bad[0] = 2
    expect(() => c.decompressPublicKey?.(bad)).toThrow()
    expect(() => c.decompressPublicKey?.(new Uint8Array(32))).toThrow()
  })
})

describe('fast backend', () => {
  it('names the parts that run', async () => {
    expect((await createFastCrypto({ native: false })).name).toBe('wasm-keccak+noble-secp256k1')
    expect((await createFastCrypto({ wasm: false, native: false })).name).toBe(
      'noble-keccak+noble-secp256k1',
    )
    expect((await createFastCrypto()).name).toMatch(/^wasm-keccak\+(libsecp256k1|noble-secp256k1)$/)
  })
})
