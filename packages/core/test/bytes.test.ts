import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { concatBytes, equalBytes, fromHex, toHex } from '../src/index.js'

describe('bytes and hex', () => {
  it('round-trips hex with and without 0x', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(equalBytes(fromHex(toHex(b)), b)).toBe(true)
        expect(equalBytes(fromHex(`0x${toHex(b)}`), b)).toBe(true)
      }),
    )
    expect(toHex(Uint8Array.of(0, 0xab, 0xff))).toBe('00abff')
    expect(fromHex('0xABcd')).toEqual(Uint8Array.of(0xab, 0xcd))
  })

  it('gives each decoded string a buffer of its own', () => {
    const b = fromHex('0102')
    expect(b.buffer.byteLength).toBe(2)
  })

  it.each(['abc', '0xzz', 'gg', '12 34'])('rejects %j with ERR_INVALID_HEX', (h) => {
    expect(() => fromHex(h)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_HEX' }))
  })

  it('compares and concatenates', () => {
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true)
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false)
    expect(equalBytes(Uint8Array.of(1), Uint8Array.of(1, 2))).toBe(false)
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(
      Uint8Array.of(1, 2, 3),
    )
  })
})
