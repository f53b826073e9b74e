import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
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
