import { describe, expect, it } from 'vitest'
import { classify, type RttSummary, resolveThresholds } from '../src/index.js'

const base: RttSummary = {
  samples: 1,
  last: 10,
  min: 10,
  ewma: 10,
  p50: 10,
  p95: 10,
  failures: 0,
  consecutiveFailures: 0,
}
const t = resolveThresholds({
  degradedRtt: 100,
  unhealthyRtt: 1000,
  degradedFailures: 1,
  unhealthyFailures: 3,
})

describe('classify', () => {
  it('is healthy with fast answers and no failures, or with no samples yet', () => {
    expect(classify(base, t).state).toBe('healthy')
    expect(classify({ ...base, ewma: undefined }, t).state).toBe('healthy')
  })

  it('degrades on slow RTT or a failure', () => {
    expect(classify({ ...base, ewma: 100 }, t)).toEqual({
      state: 'degraded',
      reason: 'rtt 100 ms >= 100 ms',
    })
    expect(classify({ ...base, consecutiveFailures: 1 }, t)).toEqual({
      state: 'degraded',
      reason: '1 consecutive failure',
    })
  })

  it('is unhealthy on very slow RTT or repeated failures; the worst rule wins', () => {
    expect(classify({ ...base, ewma: 1000 }, t).state).toBe('unhealthy')
    expect(classify({ ...base, consecutiveFailures: 3, ewma: 500 }, t)).toEqual({
      state: 'unhealthy',
      reason: '3 consecutive failures',
    })
  })

  it('rejects inconsistent thresholds', () => {
    expect(() => resolveThresholds({ degradedRtt: 10, unhealthyRtt: 5 })).toThrow(RangeError)
    expect(() => resolveThresholds({ degradedFailures: 0 })).toThrow(RangeError)
    expect(() => resolveThresholds({ degradedFailures: 4, unhealthyFailures: 3 })).toThrow(
      RangeError,
    )
  })
})
