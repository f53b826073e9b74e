import { describe, expect, it } from 'vitest'
import { percentile, RttStats } from '../src/index.js'

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const xs = Array.from({ length: 20 }, (_, i) => i + 1)
    expect(percentile(xs, 0.5)).toBe(10)
    expect(percentile(xs, 0.95)).toBe(19)
    expect(percentile([7], 0.95)).toBe(7)
    expect(percentile([], 0.5)).toBeUndefined()
  })
})

describe('RttStats', () => {
  it('is empty before any sample', () => {
    const s = new RttStats().summary()
    expect(s).toEqual({
      samples: 0,
      last: undefined,
      min: undefined,
      ewma: undefined,
      p50: undefined,
      p95: undefined,
      failures: 0,
      consecutiveFailures: 0,
    })
  })

  it('tracks last, min and the EWMA', () => {
    const s = new RttStats({ ewmaAlpha: 0.5 })
    s.addSample(100)
    expect(s.summary().ewma).toBe(100)
    s.addSample(50)
    s.addSample(200)
    const r = s.summary()
    expect(r.last).toBe(200)
    expect(r.min).toBe(50)
    expect(r.ewma).toBe(137.5) // 100 → 75 → 137.5
    expect(r.samples).toBe(3)
  })

  it('computes percentiles over a sliding window only', () => {
    const s = new RttStats({ window: 4 })
    for (const x of [1000, 1000, 1000, 1000]) s.addSample(x)
    for (const x of [1, 2, 3, 4]) s.addSample(x)
    const r = s.summary()
    expect(r.p50).toBe(2)
    expect(r.p95).toBe(4)
    expect(r.min).toBe(1)
    expect(r.samples).toBe(8)
  })

  it('counts failures and resets the consecutive count on success', () => {
    const s = new RttStats()
    s.addFailure()
    s.addFailure()
    expect(s.consecutiveFailures).toBe(2)
    s.addSample(10)
    s.addFailure()
    expect(s.summary()).toMatchObject({ failures: 3, consecutiveFailures: 1, last: 10 })
  })

  it('rejects bad options and samples', () => {
    expect(() => new RttStats({ window: 0 })).toThrow(RangeError)
    expect(() => new RttStats({ ewmaAlpha: 0 })).toThrow(RangeError)
    expect(() => new RttStats({ ewmaAlpha: 1.5 })).toThrow(RangeError)
    const s = new RttStats()
    expect(() => s.addSample(-1)).toThrow(RangeError)
    expect(() => s.addSample(Number.NaN)).toThrow(RangeError)
    expect(s.summary().samples).toBe(0)
  })
})
