import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import RLP from 'rlp'
import { describe, expect, it } from 'vitest'
import {
  asBigUint,
  asFixedBytes,
  asList,
  asString,
  asUint,
  decodeRlp,
  encodeRlp,
  RlpError,
  type RlpInput,
} from '../src/index.js'
import rlp from './fixtures/rlp.json' with { type: 'json' }

const toInput = (v: unknown): RlpInput => {
  if (Array.isArray(v)) return v.map(toInput)
  if (typeof v === 'string' && v.startsWith('#')) return BigInt(v.slice(1))
  return v as RlpInput
}
const unhex = (s: string) => hexToBytes(s.replace(/^0x/, ''))

describe('rlp (ethereum/tests RLPTests)', () => {
  it.each(Object.entries(rlp.rlptest))('encodes %s', (_name, { in: input, out }) => {
    expect(`0x${bytesToHex(encodeRlp(toInput(input)))}`).toBe(out)
  })

  it.each(Object.entries(rlp.rlptest))('decodes %s back to its encoding', (_name, { out }) => {
    expect(`0x${bytesToHex(encodeRlp(decodeRlp(unhex(out)) as RlpInput))}`).toBe(out)
  })

  it.each(Object.entries(rlp.invalidRLPTest))('rejects %s with RlpError', (_name, { out }) => {
    expect(() => decodeRlp(unhex(out))).toThrow(RlpError)
  })
})

describe('rlp shape helpers', () => {
  it('reads canonical integers and rejects leading zeros and overflow', () => {
    expect(asUint(new Uint8Array([]), 'x')).toBe(0)
    expect(asUint(new Uint8Array([1, 0]), 'x')).toBe(256)
    expect(asBigUint(new Uint8Array(32).fill(0xff), 'x')).toBe(2n ** 256n - 1n)
    expect(() => asUint(new Uint8Array([0, 1]), 'x')).toThrowError(
      expect.objectContaining({ code: 'ERR_BAD_RLP' }),
    )
    expect(() => asUint(new Uint8Array(8).fill(1), 'x')).toThrow(RlpError)
    expect(() => asBigUint(new Uint8Array(33).fill(1), 'x')).toThrow(RlpError)
    // Both sides of the 6-byte fast path.
    expect(asBigUint(new Uint8Array(6).fill(0xff), 'x')).toBe(2n ** 48n - 1n)
    expect(asBigUint(new Uint8Array([1, 0, 0, 0, 0, 0, 0]), 'x')).toBe(2n ** 48n)
    expect(asUint(new Uint8Array(6).fill(0xff), 'x')).toBe(2 ** 48 - 1)
    expect(asUint(new Uint8Array([0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 'x')).toBe(
      Number.MAX_SAFE_INTEGER,
    )
    expect(() => asBigUint(new Uint8Array([0, 1, 2]), 'x')).toThrow(/leading zero/)
  })

  it('checks shapes with the field name in the message', () => {
    const item = decodeRlp(encodeRlp([new Uint8Array(4), 'dog']))
    const [a, b] = asList(item, 'packet')
    expect(asFixedBytes(a, 4, 'ip').length).toBe(4)
    expect(asString(b, 'name')).toBe('dog')
    expect(() => asFixedBytes(a, 16, 'ip')).toThrow(/ip: expected 16 bytes/)
    expect(() => asList(a, 'packet')).toThrow(/packet: expected a list/)
  })

  it('rejects trailing bytes unless allowed', () => {
    const data = new Uint8Array([...encodeRlp([1, 2]), 0x01, 0x02])
    expect(() => decodeRlp(data)).toThrow(RlpError)
    expect(asList(decodeRlp(data, true), 'x')).toHaveLength(2)
  })
})

describe('rlp codec against the rlp package (reference)', () => {
  const input: fc.Arbitrary<RlpInput> = fc.letrec<{ item: RlpInput }>((tie) => ({
    item: fc.oneof(
      { depthSize: 'small' },
      fc.uint8Array({ maxLength: 70 }),
      fc.uint8Array({ minLength: 1, maxLength: 1 }),
      fc.nat(),
      fc.maxSafeNat(),
      fc.bigInt({ min: 0n, max: 2n ** 300n }),
      fc.string({ maxLength: 60 }),
      fc.array(tie('item'), { maxLength: 6 }),
    ),
  })).item

  it('encodes like it', () => {
    fc.assert(
      fc.property(input, (x) => {
        let want: Uint8Array
        try {
          want = RLP.encode(x as Parameters<typeof RLP.encode>[0])
        } catch {
          // e.g. a 0x-prefixed string that is no hex: rejected by both.
          expect(() => encodeRlp(x)).toThrow(RlpError)
          return
        }
        expect(encodeRlp(x)).toEqual(want)
      }),
      { numRuns: 500 },
    )
  })

  it('decodes like it, and rejects what it rejects', () => {
    const bytes = fc.oneof(
      input.map((x) => encodeRlp(x)),
      // Encodings with one byte changed, cut or extended: mostly invalid.
      fc
        .tuple(input, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: -2, max: 2 }))
        .map(([x, at, v, cut]) => {
          const e = encodeRlp(x)
          const c = e.slice(0, Math.max(1, e.length + Math.min(0, cut)))
          c[at % c.length] = v
          return cut > 0 ? new Uint8Array([...c, ...new Uint8Array(cut)]) : c
        }),
      fc.uint8Array({ minLength: 1, maxLength: 80 }),
    )
    fc.assert(
      fc.property(bytes, (b) => {
        let want: unknown
        try {
          want = RLP.decode(b)
        } catch {
          expect(() => decodeRlp(b)).toThrow(RlpError)
          return
        }
        expect(decodeRlp(b)).toEqual(want)
      }),
      { numRuns: 2000 },
    )
  })

  it('rejects what is no RLP integer, and 0x-strings that are no hex', () => {
    expect(() => encodeRlp('0x  ')).toThrow(RlpError)
    expect(encodeRlp('0x0102')).toEqual(new Uint8Array([0x82, 1, 2]))
    expect(() => encodeRlp(-1)).toThrow(RlpError)
    expect(() => encodeRlp(1.5)).toThrow(RlpError)
    expect(() => encodeRlp(-1n)).toThrow(RlpError)
  })
})
