import { describe, expect, it } from 'vitest'
import { sleep, TypedEventTarget } from '../src/index.js'
import { ManualClock } from '../src/testing/index.js'

describe('ManualClock', () => {
  it('fires timers in time order only when advanced, and settles promises between them', async () => {
    const clock = new ManualClock(0)
    const order: string[] = []
    clock.setTimeout(() => order.push('b@20'), 20)
    clock.setTimeout(() => order.push('a@10'), 10)
    const slept = sleep(clock, 15).then(() => {
      order.push('sleep@15')
      clock.setTimeout(() => order.push('c@18'), 3)
    })
    await clock.advance(5)
    expect(order).toEqual([])
    await clock.advance(20)
    await slept
    expect(order).toEqual(['a@10', 'sleep@15', 'c@18', 'b@20'])
    expect(clock.now()).toBe(25)
    expect(clock.pending).toBe(0)
  })

  it('sleep rejects on abort and clears its timer', async () => {
    const clock = new ManualClock(0)
    const ac = new AbortController()
    const p = sleep(clock, 1000, ac.signal)
    ac.abort(new Error('stop'))
    await expect(p).rejects.toThrow('stop')
    expect(clock.pending).toBe(0)
  })
})

describe('TypedEventTarget', () => {
  it('delivers typed details', () => {
    const t = new TypedEventTarget<{ ping: { n: number } }>()
    const got: number[] = []
    t.addEventListener('ping', (e) => got.push(e.detail.n))
    t.emit('ping', { n: 7 })
    expect(got).toEqual([7])
  })
})
