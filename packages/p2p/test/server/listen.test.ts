import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { InboundThrottle } from '../../src/index.js'

describe('InboundThrottle', () => {
  it('admits an IP once per period', async () => {
    const clock = new ManualClock()
    const t = new InboundThrottle(clock, 30_000)
    expect(t.admit('1.2.3.4')).toBe(true)
    expect(t.admit('1.2.3.4')).toBe(false)
    expect(t.admit('1.2.3.5')).toBe(true)
    await clock.advance(30_000)
    expect(t.admit('1.2.3.4')).toBe(true)
  })
})
