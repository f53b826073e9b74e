import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { PendingReplies } from '../../src/udp/pending.js'
import { PingWaiters } from '../../src/udp/waiters.js'
import { type Packet, PacketType } from '../../src/wire/index.js'

const req: Packet = { type: PacketType.ENRRequest, expiration: 0 }
const hash = new Uint8Array(32)

describe('PendingReplies', () => {
  it('matches, gathers several packets, and times out with a partial answer', async () => {
    const clock = new ManualClock()
    const p = new PendingReplies(clock, 10)
    let got = 0
    const r = p.expect('k', {
      timeoutMs: 500,
      onPacket: () => (++got >= 3 ? { done: true, value: got } : { done: false }),
      onTimeout: () => ({ value: -got }),
    })
    expect(p.dispatch('other', req, hash)).toBe(false)
    expect(p.dispatch('k', req, hash)).toBe(true)
    await clock.advance(500)
    expect(await r).toBe(-1)
    expect(p.size).toBe(0)
    expect(clock.pending).toBe(0)
  })

  it('evicts the oldest request beyond its limit and fails all on close', async () => {
    const clock = new ManualClock()
    const p = new PendingReplies(clock, 2)
    const mk = () =>
      p.expect('k', { timeoutMs: 500, onPacket: () => undefined, onTimeout: () => new Error('t') })
    const a = mk()
    const b = mk()
    const c = mk()
    await expect(a).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
    expect(p.size).toBe(2)
    p.failAll(new Error('closed'))
    await expect(b).rejects.toThrow('closed')
    await expect(c).rejects.toThrow('closed')
    expect(clock.pending).toBe(0)
  })
})

describe('PingWaiters', () => {
  it('wakes on wake(key) or after the timeout, and removes its timer', async () => {
    const clock = new ManualClock()
    const w = new PingWaiters(clock, 10)
    const a = w.wait('k', 500)
    w.wake('k')
    await a
    const b = w.wait('k', 500)
    await clock.advance(500)
    await b
    expect(clock.pending).toBe(0)
  })
})
