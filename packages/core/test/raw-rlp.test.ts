import { describe, expect, it } from 'vitest'
import {
  encodeBytes,
  encodeList,
  encodeRlp,
  encodeUint,
  RlpError,
  readBigUint,
  readUint,
  splitList,
  splitStream,
} from '../src/index.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('raw RLP', () => {
  it('encodes integers as the generic encoder does', () => {
    const values = [0, 1, 0x7f, 0x80, 0xff, 0x100, 2 ** 32, 2 ** 53 - 1]
    for (const v of values) expect(hex(encodeUint(v)), String(v)).toBe(hex(encodeRlp(v)))
    for (const v of [0n, 2n ** 53n, 2n ** 64n - 1n, 2n ** 255n]) {
      expect(hex(encodeUint(v)), String(v)).toBe(hex(encodeRlp(v)))
    }
    expect(() => encodeUint(-1)).toThrow(RangeError)
    expect(() => encodeUint(1.5)).toThrow(RangeError)
  })

  it('encodes long strings and lists as the generic encoder does', () => {
    const long = new Uint8Array(300).fill(7)
    expect(hex(encodeBytes(long))).toBe(hex(encodeRlp(long)))
    const items = Array.from({ length: 40 }, (_, i) => new Uint8Array(3).fill(i))
    expect(hex(encodeList(items.map(encodeBytes)))).toBe(hex(encodeRlp(items)))
  })

  it('splits an RLP stream into its items and rejects a truncated last item', () => {
    const a = encodeList([encodeUint(1), encodeBytes(new Uint8Array(60).fill(2))])
    const b = encodeUint(7)
    const stream = new Uint8Array([...a, ...b, ...a])
    expect(splitStream(stream, 'stream').map(hex)).toEqual([hex(a), hex(b), hex(a)])
    expect(splitStream(new Uint8Array(0), 'stream')).toEqual([])
    expect(() => splitStream(stream.subarray(0, stream.length - 1), 'stream')).toThrow(RlpError)
    expect(() => splitStream(stream, 'stream', 2)).toThrow(RlpError)
  })

  it('splits lists into raw items and reads integers back', () => {
    const raw = encodeList([encodeUint(5), encodeUint(2n ** 60n), encodeList([])])
    const [a, b, c] = splitList(raw, 'test')
    expect(readUint(a, 'a')).toBe(5)
    expect(readBigUint(b, 'b')).toBe(2n ** 60n)
    expect(hex(c as Uint8Array)).toBe('c0')
    expect(() => readUint(b, 'b')).toThrow(RlpError)
    expect(() => splitList(raw, 'test', 2)).toThrow(RlpError)
  })
})
