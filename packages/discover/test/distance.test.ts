import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { distcmp, logdist } from '../src/index.js'

const zero = () => new Uint8Array(32)
const big = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`)

describe('logdist', () => {
  it('is 0 for equal hashes', () => {
    expect(logdist(zero(), zero())).toBe(0)
  })
  it('is 256 when the first bit differs', () => {
    const a = zero()
    a[0] = 0x80
    expect(logdist(a, zero())).toBe(256)
  })
  it('is 1 when only the last bit differs', () => {
    const a = zero()
    a[31] = 1
    expect(logdist(a, zero())).toBe(1)
  })
  it('counts the bit length of a ⊕ b', () => {
    const a = zero()
    a[1] = 0x10
    expect(logdist(a, zero())).toBe(256 - 8 - 3)
  })
  it('property: equals the bit length of the XOR as a big integer', () => {
    const h = fc.uint8Array({ minLength: 32, maxLength: 32 })
    fc.assert(
      fc.property(h, h, (a, b) => {
        const x = big(a) ^ big(b)
        expect(logdist(a, b)).toBe(x === 0n ? 0 : x.toString(2).length)
        expect(logdist(a, b)).toBe(logdist(b, a))
      }),
    )
  })
})

describe('distcmp', () => {
  it('is 0 for equal distances and orders by XOR distance', () => {
    const t = zero()
    const a = zero()
    const b = zero()
    a[31] = 1
    b[0] = 1
    expect(distcmp(t, a, a)).toBe(0)
    expect(distcmp(t, a, b)).toBe(-1)
    expect(distcmp(t, b, a)).toBe(1)
  })
  it('property: agrees with big-integer XOR comparison', () => {
    const h = fc.uint8Array({ minLength: 32, maxLength: 32 })
    fc.assert(
      fc.property(h, h, h, (t, a, b) => {
        const da = big(a) ^ big(t)
        const db = big(b) ^ big(t)
        expect(distcmp(t, a, b)).toBe(da < db ? -1 : da > db ? 1 : 0)
      }),
    )
  })
})
