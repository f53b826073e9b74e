import { DisconnectReason } from '@x/p2p'
import { describe, expect, it } from 'vitest'
import {
  dropUnhealthyPeers,
  type HealthStateChange,
  HealthTracker,
  unhealthyDropReason,
} from '../src/index.js'

const change = (over: Partial<HealthStateChange>): HealthStateChange => ({
  id: 'a',
  previous: 'degraded',
  state: 'unhealthy',
  reason: '3 consecutive failures',
  lastFailure: undefined,
  at: 0,
  ...over,
})

describe('unhealthyDropReason', () => {
  it('maps the failure to a Disconnect reason', () => {
    expect(unhealthyDropReason(change({ lastFailure: 'silent' }))).toBe(
      DisconnectReason.ReadTimeout,
    )
    expect(unhealthyDropReason(change({ lastFailure: 'timeout' }))).toBe(
      DisconnectReason.ReadTimeout,
    )
    expect(unhealthyDropReason(change({ lastFailure: 'write-failed' }))).toBe(
      DisconnectReason.TcpError,
    )
    expect(unhealthyDropReason(change({ lastFailure: 'link-failed' }))).toBe(
      DisconnectReason.TcpError,
    )
    expect(unhealthyDropReason(change({ lastFailure: 'mismatch' }))).toBe(
      DisconnectReason.BreachOfProtocol,
    )
    expect(unhealthyDropReason(change({ reason: 'rtt 2500 ms >= 2000 ms' }))).toBe(
      DisconnectReason.UselessPeer,
    )
  })
})

describe('dropUnhealthyPeers', () => {
  it('disconnects peers that become unhealthy until the signal aborts', () => {
    const tracker = new HealthTracker({ thresholds: { unhealthyRtt: 1000 } })
    const ctl = new AbortController()
    const drops: [string, DisconnectReason][] = []
    dropUnhealthyPeers(tracker, (id, r) => drops.push([id, r]), ctl.signal)
    tracker.recordRtt('a', 600, 'ping/1') // degraded: kept
    tracker.recordRtt('b', 5000, 'ping/1')
    expect(drops).toEqual([['b', DisconnectReason.UselessPeer]])
    ctl.abort()
    tracker.recordFailure('c', 'write-failed')
    expect(drops).toHaveLength(1)
  })
})
