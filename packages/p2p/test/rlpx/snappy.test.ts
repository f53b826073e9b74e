import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import * as snappyjs from 'snappyjs'
import { describe, expect, it } from 'vitest'
import {
  maxMessageSize,
  RlpxError,
  snappyCompress,
  snappyDecodedLength,
  snappyUncompress,
} from '../../src/index.js'

const rand = (n: number) => new Uint8Array(randomBytes(n))
const text = (s: string) => new TextEncoder().encode(s)

const samples = [
  new Uint8Array(0),
  rand(1),
  text('a'.repeat(1000)),
  text('the quick brown fox '.repeat(500)),
  rand(70_000),
  new Uint8Array(200_000).fill(0xab),
  // Compressible across the 64 KiB block boundary.
  new Uint8Array(Array.from({ length: 140_000 }, (_, i) => (i * 7) % 251)),
]

describe('snappy', () => {
  it('round-trips, and snappyjs decodes what we encode (and we decode snappyjs)', () => {
    for (const s of samples) {
      const c = snappyCompress(s)
      expect(snappyUncompress(c, maxMessageSize)).toEqual(s)
      expect(new Uint8Array(snappyjs.uncompress(c))).toEqual(s)
      expect(snappyUncompress(new Uint8Array(snappyjs.compress(s)), maxMessageSize)).toEqual(s)
    }
    expect(snappyCompress(samples[3]!).length).toBeLessThan(samples[3]!.length / 10)
  })

  it('round-trips arbitrary inputs (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 8 }), (a, reps) => {
        const input = new Uint8Array(a.length * reps)
        for (let i = 0; i < reps; i++) input.set(a, i * a.length)
        const c = snappyCompress(input)
        expect(snappyUncompress(c, maxMessageSize)).toEqual(input)
        expect(new Uint8Array(snappyjs.uncompress(c))).toEqual(input)
      }),
      { numRuns: 100 },
    )
  })

  it('checks the declared length before allocating: a 4 GiB claim is ERR_MSG_TOO_LARGE', () => {
    const bomb = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x41])
    expect(snappyDecodedLength(bomb).length).toBe(0xffffffff)
    expect(() => snappyUncompress(bomb, maxMessageSize)).toThrow(
      expect.objectContaining({ code: 'ERR_MSG_TOO_LARGE' }),
    )
    // 16 MiB + 1 declared: over the limit too.
    const over = new Uint8Array([0x81, 0x80, 0x80, 0x08, 0x00])
    expect(snappyDecodedLength(over).length).toBe(maxMessageSize + 1)
    expect(() => snappyUncompress(over, maxMessageSize)).toThrow(
      expect.objectContaining({ code: 'ERR_MSG_TOO_LARGE' }),
    )
  })

  it('rejects malformed input with ERR_SNAPPY', () => {
    const bad = [
      [], // no length
      [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // varint too long
      [0x05, 0x10, 0x61], // literal of 5 with 1 byte
      [0x03, 0x08, 0x61, 0x62, 0x63, 0x63], // literal longer than declared
      [0x04, 0x00, 0x61, 0x01, 0x05], // copy offset 5 > output 1
      [0x04, 0x00, 0x61, 0x02, 0x00, 0x00], // copy offset 0
      [0x08, 0x00, 0x61, 0x1d, 0x01], // copy past the declared length
      [0x05, 0x00, 0x61], // shorter than declared
      [0x02, 0x00, 0x61, 0x03, 0x01], // truncated 4-byte-offset copy
    ]
    for (const b of bad) {
      expect(() => snappyUncompress(new Uint8Array(b), 1000), JSON.stringify(b)).toThrow(RlpxError)
    }
    // Random garbage never throws anything but RlpxError.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (g) => {
        try {
          snappyUncompress(g, 1 << 16)
        } catch (err) {
          expect(err).toBeInstanceOf(RlpxError)
        }
      }),
      { numRuns: 500 },
    )
  })
})
