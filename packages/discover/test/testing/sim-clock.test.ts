import { nobleCrypto } from '@x/core'
import { describe, expect, it } from 'vitest'
import { SimClock, seededRandom, simCrypto } from '../../src/testing/index.js'

describe('SimClock', () => {
  it('fires timers in time order, ties in creation order, and skips cleared ones', async () => {
    const c = new SimClock(0)
    const order: string[] = []
    c.setTimeout(() => order.push('b30'), 30)
    c.setTimeout(() => order.push('a10'), 10)
    const x = c.setTimeout(() => order.push('x20'), 20)
    c.setTimeout(() => order.push('c30'), 30)
    c.clearTimeout(x)
    expect(c.pending).toBe(3)
    await c.advance(25)
    expect(order).toEqual(['a10'])
    expect(c.now()).toBe(25)
    await c.advance(5)
    expect(order).toEqual(['a10', 'b30', 'c30'])
    expect(c.pending).toBe(0)
    expect(c.fired).toBe(3)
  })

  it('settles promises between instants, and runs 0-delay timers after them', async () => {
    const c = new SimClock(0)
    const log: string[] = []
    c.setTimeout(() => {
      void Promise.resolve().then(() => log.push('microtask'))
      c.setTimeout(() => log.push(`zero@${c.now()}`), 0)
      // A timer set from a promise callback at this instant fires at this instant too.
      void Promise.resolve().then(() => c.setTimeout(() => log.push(`later@${c.now()}`), 5))
    }, 10)
    await c.advance(100)
    expect(log).toEqual(['microtask', 'zero@10', 'later@15'])
  })

  it('handles many timers (heap order)', async () => {
    const c = new SimClock(0)
    const r = seededRandom(9)
    const fired: number[] = []
    for (let i = 0; i < 2000; i++) {
      const at = Math.floor(r() * 1000)
      c.setTimeout(() => fired.push(at), at)
    }
    await c.advance(1000)
    expect(fired).toHaveLength(2000)
    expect(fired).toEqual([...fired].sort((a, b) => a - b))
  })

  it('keeps order and counts when most timers are cleared (heap compaction)', async () => {
    const c = new SimClock(0)
    const r = seededRandom(3)
    const fired: [number, number][] = []
    const kept: [number, number][] = []
    for (let i = 0; i < 5000; i++) {
      const at = Math.floor(r() * 500)
      const h = c.setTimeout(() => fired.push([at, i]), at)
      if (r() < 0.9) c.clearTimeout(h)
      else kept.push([at, i])
    }
    expect(c.pending).toBe(kept.length)
    await c.advance(500)
    // Time order, ties in creation order.
    expect(fired).toEqual(kept.sort((a, b) => a[0] - b[0] || a[1] - b[1]))
    expect(c.pending).toBe(0)
  })
})

describe('seededRandom', () => {
  it('is deterministic per seed and in [0, 1)', () => {
    const a = seededRandom(42)
    const b = seededRandom(42)
    const xs = Array.from({ length: 100 }, () => a())
    expect(xs).toEqual(Array.from({ length: 100 }, () => b()))
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(seededRandom(43)()).not.toBe(xs[0])
  })
})

describe('simCrypto', () => {
  it('recovers the signer from a simulated signature, and signs for real when asked', () => {
    const c = simCrypto(nobleCrypto)
    const key = new Uint8Array(32).fill(7)
    const pub = nobleCrypto.publicKey(key)
    const digest = c.keccak256(new Uint8Array([1, 2, 3]))
    const fake = c.sign(digest, key)
    expect(fake).toHaveLength(65)
    expect(c.recover(digest, fake)).toEqual(pub)
    c.real = true
    const real = c.sign(digest, key)
    expect(real).toEqual(nobleCrypto.sign(digest, key))
    expect(c.recover(digest, real)).toEqual(pub)
    expect(c.name).toBe('sim-signatures+noble')
  })
})
