import { randomBytes } from 'node:crypto'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { type CryptoBackend, createFastCrypto, getCrypto, type Keccak, nobleCrypto } from '@x/core'
import { describe, expect, it } from 'vitest'
import {
  decodeMsgCode,
  encodeMsgCode,
  FrameReader,
  FrameWriter,
  macCipher,
  RlpxError,
} from '../../src/index.js'
import v from '../fixtures/rlpx-frame.json' with { type: 'json' }

const vec = v.vectors[0]!

/** go-ethereum's fakeHash: Write is a no-op, Sum is always 32 × 0x01. */
class FakeHash implements Keccak {
  update(): this {
    return this
  }
  digest(): Uint8Array {
    return hexToBytes(vec.fake_mac_sum_hex)
  }
  clone(): Keccak {
    return this
  }
}

function pair(crypto: CryptoBackend = getCrypto()) {
  const s = new Uint8Array(randomBytes(64))
  const secrets = () => ({
    aesSecret: s.subarray(0, 32),
    macSecret: s.subarray(32),
    egressMac: crypto.keccak256Stream().update(new Uint8Array([1])),
    ingressMac: crypto.keccak256Stream().update(new Uint8Array([1])),
  })
  return { writer: new FrameWriter(secrets()), reader: new FrameReader(secrets()) }
}

describe('frame codec', () => {
  it("matches go-ethereum's TestFrameReadWrite vector (fake MAC)", () => {
    const secret = hexToBytes(vec.aes_secret_hex)
    const s = { aesSecret: secret, macSecret: hexToBytes(vec.mac_secret_hex) }
    const writer = new FrameWriter({ ...s, egressMac: new FakeHash() })
    const frame = writer.encode(vec.msg_code, hexToBytes(vec.msg_data_rlp))
    expect(bytesToHex(frame)).toBe(vec.frame_hex)
    const reader = new FrameReader({ ...s, ingressMac: new FakeHash() })
    reader.push(hexToBytes(vec.frame_hex))
    const content = reader.next() as Uint8Array
    expect(bytesToHex(content)).toBe(vec.frame_content_hex)
    const { code, data } = decodeMsgCode(content)
    expect(code).toBe(vec.msg_code)
    expect(bytesToHex(data)).toBe(vec.msg_data_rlp)
  })

  it.each([
    ['noble', async () => nobleCrypto],
    ['fast', () => createFastCrypto()],
  ])(
    'round-trips frames of many sizes, fed one byte or one chunk at a time (%s)',
    async (_n, load) => {
      const c = await load()
      const { writer, reader } = pair(c)
      const sizes = [0, 1, 15, 16, 17, 1000, 65_536, 300_000]
      const frames = sizes.map((n, i) => writer.encode(i * 7, new Uint8Array(randomBytes(n))))
      for (const [i, f] of frames.entries()) {
        if (i < 4) for (const b of f) reader.push(new Uint8Array([b]))
        else reader.push(f)
        const { code, data } = decodeMsgCode(reader.next() as Uint8Array)
        expect(code).toBe(i * 7)
        expect(data.length).toBe(sizes[i])
        expect(reader.next()).toBeUndefined()
      }
      expect(reader.buffered).toBe(0)
    },
  )

  it("both backends compute the same MACs: a fast reader reads a noble writer's frames", async () => {
    const fast = await createFastCrypto()
    const s = new Uint8Array(randomBytes(64))
    const base = { aesSecret: s.subarray(0, 32), macSecret: s.subarray(32) }
    const seed = new Uint8Array([7])
    const writer = new FrameWriter({
      ...base,
      egressMac: nobleCrypto.keccak256Stream().update(seed),
    })
    const reader = new FrameReader({ ...base, ingressMac: fast.keccak256Stream().update(seed) })
    for (const n of [0, 100, 5000]) {
      reader.push(writer.encode(2, new Uint8Array(randomBytes(n))))
      expect(decodeMsgCode(reader.next() as Uint8Array).data.length).toBe(n)
    }
  })

  it('a flipped bit anywhere in a frame is ERR_BAD_MAC', () => {
    for (const at of [0, 5, 16, 20, 33, 50]) {
      const { writer, reader } = pair()
      const f = writer.encode(3, new Uint8Array(20))
      f[at]! ^= 0x10
      reader.push(f)
      expect(() => reader.next()).toThrow(expect.objectContaining({ code: 'ERR_BAD_MAC' }))
    }
  })

  it('one MAC cipher serves both directions of a session (interleaved, many sizes)', () => {
    const s = new Uint8Array(randomBytes(64))
    const k = (tag: number) =>
      getCrypto()
        .keccak256Stream()
        .update(new Uint8Array([tag]))
    const side = (egress: number, ingress: number) => {
      const secrets = {
        aesSecret: s.subarray(0, 32),
        macSecret: s.subarray(32),
        egressMac: k(egress),
        ingressMac: k(ingress),
      }
      const mac = macCipher(secrets.macSecret)
      return {
        writer: new FrameWriter(secrets, { mac }),
        reader: new FrameReader(secrets, { mac }),
      }
    }
    const a = side(1, 2)
    const b = side(2, 1)
    for (const size of [0, 1, 15, 16, 17, 1000, 70_000]) {
      const p = new Uint8Array(randomBytes(size))
      b.reader.push(a.writer.encode(0x10, p))
      a.reader.push(b.writer.encode(0x11, p))
      expect(decodeMsgCode(b.reader.next() as Uint8Array).data).toEqual(p)
      expect(decodeMsgCode(a.reader.next() as Uint8Array).data).toEqual(p)
    }
  })

  it('a header announcing more than the limit is ERR_FRAME_TOO_LARGE', () => {
    const s = new Uint8Array(randomBytes(64))
    const mk = () => ({
      aesSecret: s.subarray(0, 32),
      macSecret: s.subarray(32),
      egressMac: getCrypto().keccak256Stream(),
      ingressMac: getCrypto().keccak256Stream(),
    })
    const reader = new FrameReader(mk(), { maxFrameSize: 1024 })
    reader.push(new FrameWriter(mk()).encode(1, new Uint8Array(2000)))
    expect(() => reader.next()).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }))
    expect(() => new FrameWriter(mk()).encode(1, new Uint8Array(0x1000000))).toThrow(RlpxError)
  })

  it('encodes message codes as RLP integers', () => {
    for (const code of [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x12345]) {
      const enc = encodeMsgCode(code)
      const payload = new Uint8Array([9, 9])
      const joined = new Uint8Array([...enc, ...payload])
      expect(decodeMsgCode(joined)).toEqual({ code, data: payload })
    }
    expect(bytesToHex(encodeMsgCode(0))).toBe('80')
    // RLP of 0 is 0x80: the byte 0x00 is refused (go-ethereum's ErrCanonInt).
    expect(() => decodeMsgCode(new Uint8Array([0x00, 0xc0]))).toThrow(
      expect.objectContaining({ code: 'ERR_BAD_FRAME' }),
    )
    expect(() => decodeMsgCode(new Uint8Array(0))).toThrow(RlpxError)
    expect(() => decodeMsgCode(new Uint8Array([0xc0]))).toThrow(RlpxError)
    expect(() => decodeMsgCode(new Uint8Array([0x81, 0x05]))).toThrow(RlpxError)
  })
})
