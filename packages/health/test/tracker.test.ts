import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { type HealthStateChange, HealthTracker } from '../src/index.js'

const A = 'a'.repeat(128)
const B = 'b'.repeat(128)
const C = 'c'.repeat(128)

function setup(options: ConstructorParameters<typeof HealthTracker>[0] = {}) {
  const clock = new ManualClock()
  const tracker = new HealthTracker({
    clock,
    thresholds: { degradedRtt: 100, unhealthyRtt: 1000, degradedFailures: 1, unhealthyFailures: 3 },
    ...options,
  })
  const events: HealthStateChange[] = []
  tracker.addEventListener('peer:state', (e) => events.push(e.detail))
  return { clock, tracker, events }
}

describe('HealthTracker', () => {
  it('starts peers healthy and emits a typed event on every state change', async () => {
    const { clock, tracker, events } = setup()
    tracker.add({ id: A, address: { ip: '127.0.0.1', port: 30303 }, clientId: 'x/1' })
    expect(tracker.get(A)).toMatchObject({ state: 'healthy', clientId: 'x/1' })

    tracker.recordRtt(A, 20, 'ping/1')
    expect(events).toEqual([])
    tracker.recordFailure(A, 'mismatch')
    await clock.advance(1000)
    tracker.recordFailure(A, 'timeout')
    tracker.recordFailure(A, 'timeout')
    tracker.recordRtt(A, 30, 'ping/1')
    expect(events.map((e) => [e.previous, e.state, e.lastFailure])).toEqual([
      ['healthy', 'degraded', 'mismatch'],
      ['degraded', 'unhealthy', 'timeout'],
      ['unhealthy', 'healthy', 'timeout'],
    ])
    expect(events[1]).toMatchObject({ id: A, reason: '3 consecutive failures' })
    expect(events[1]!.at).toBe(events[0]!.at + 1000)
    expect(tracker.get(A)!.rtt).toMatchObject({ last: 30, min: 20, failures: 3 })
  })

  it('emits peer:rtt for every sample', () => {
    const { tracker } = setup()
    const seen: unknown[] = []
    tracker.addEventListener('peer:rtt', (e) => seen.push(e.detail))
    tracker.recordRtt(A, 12, 'base')
    tracker.recordFailure(A, 'timeout')
    expect(seen).toEqual([{ id: A, rtt: 12, source: 'base' }])
  })

  it('counts a payload mismatch as a failure, never as a sample', () => {
    const { tracker } = setup()
    tracker.recordFailure(A, 'mismatch')
    const p = tracker.get(A)!
    expect(p.rtt.samples).toBe(0)
    expect(p.state).toBe('degraded')
    expect(p.lastFailure).toBe('mismatch')
  })

  it('orders peers by state, then EWMA RTT; unhealthy left out unless asked', () => {
    const { tracker } = setup()
    tracker.add({ id: C })
    tracker.recordRtt(A, 80, 'ping/1')
    tracker.recordRtt(B, 20, 'base')
    tracker.add({ id: 'd'.repeat(128) })
    for (let i = 0; i < 3; i++) tracker.recordFailure('d'.repeat(128), 'silent')
    tracker.recordRtt('e'.repeat(128), 200, 'ping/1')
    expect(tracker.peersByRtt().map((p) => p.id[0])).toEqual(['b', 'a', 'c', 'e'])
    expect(tracker.peersByRtt({ includeUnhealthy: true }).map((p) => p.id[0])).toEqual([
      'b',
      'a',
      'c',
      'e',
      'd',
    ])
    // The same order as a comparator over IDs, for components sorting their own peers.
    const ids = ['z', 'd', 'e', 'c', 'a', 'b'].map((x) => x.repeat(128))
    expect(ids.sort(tracker.compare).map((id) => id[0])).toEqual(['b', 'a', 'c', 'e', 'd', 'z'])
  })

  it('tracks lastSeen from traffic and evicts the stalest peer when full', async () => {
    const { clock, tracker } = setup({ maxPeers: 2 })
    tracker.add({ id: A })
    await clock.advance(10)
    tracker.add({ id: B })
    await clock.advance(10)
    tracker.touch(A)
    expect(tracker.lastSeen(A)).toBe(clock.now())
    tracker.touch(C) // unknown: ignored
    expect(tracker.has(C)).toBe(false)
    tracker.add({ id: C })
    expect(tracker.size).toBe(2)
    expect(tracker.has(B)).toBe(false)
    expect(tracker.has(A)).toBe(true)
    tracker.remove(A)
    expect(tracker.peers().map((p) => p.id)).toEqual([C])
  })
})
