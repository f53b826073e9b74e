import { ManualClock } from '@x/core/testing'
import { DisconnectReason, msgPipe } from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type BasePing,
  type HealthStateChange,
  HealthTracker,
  LivenessMonitor,
  type LivenessMonitorOptions,
  PingProtocol,
} from '../src/index.js'
import { fakePeer } from './fake-peer.js'

const A = 'a'.repeat(128)
const B = 'b'.repeat(128)

const monitors: LivenessMonitor[] = []
afterEach(() => {
  for (const m of monitors.splice(0)) m.stop()
})

function setup(options: Partial<LivenessMonitorOptions> = {}) {
  const clock = new ManualClock()
  const tracker = new HealthTracker({ clock })
  const events: HealthStateChange[] = []
  tracker.addEventListener('peer:state', (e) => events.push(e.detail))
  const drops: [string, DisconnectReason][] = []
  const monitor = new LivenessMonitor({
    tracker,
    clock,
    monotonic: () => clock.now(),
    silenceTimeout: 30_000,
    checkInterval: 1_000,
    pingInterval: 15_000,
    pingTimeout: 5_000,
    disconnect: (id, reason) => drops.push([id, reason]),
    ...options,
  })
  monitors.push(monitor)
  return { clock, tracker, monitor, events, drops }
}

describe('LivenessMonitor', () => {
  it('reports a peer silent past the threshold as unhealthy, and recovers on traffic', async () => {
    const { clock, tracker, monitor, events } = setup()
    monitor.start()
    monitor.peerAdded({ id: A, address: { ip: '10.0.0.1', port: 30303 }, clientId: 'c' })
    monitor.peerAdded({ id: B })
    for (let t = 0; t < 29; t++) {
      await clock.advance(1_000)
      monitor.activity(B)
    }
    expect(tracker.get(A)!.state).toBe('healthy')
    await clock.advance(1_000)
    monitor.activity(B)
    expect(tracker.get(A)).toMatchObject({ state: 'unhealthy', lastFailure: 'silent' })
    expect(tracker.get(B)!.state).toBe('healthy')
    expect(events).toHaveLength(1)
    // Reported once per silence, not on every check.
    await clock.advance(10_000)
    expect(tracker.get(A)!.rtt.failures).toBe(1)
    // Heard again: no longer unhealthy, but degraded until a round trip succeeds.
    monitor.activity(A)
    expect(tracker.get(A)!.state).toBe('degraded')
    tracker.recordRtt(A, 10, 'base')
    expect(events.map((e) => e.state)).toEqual(['unhealthy', 'degraded', 'healthy'])
  })

  it('marks a peer whose write failed unhealthy until it answers a ping', () => {
    const { tracker, monitor } = setup()
    monitor.peerAdded({ id: A })
    monitor.writeFailed(A)
    expect(tracker.get(A)).toMatchObject({ state: 'unhealthy', reason: 'write failed' })
    monitor.activity(A) // traffic alone does not prove the write path
    expect(tracker.get(A)!.state).toBe('unhealthy')
    monitor.activity(B) // unknown: ignored
    tracker.recordRtt(A, 5, 'base')
    expect(tracker.get(A)!.state).toBe('healthy')
    monitor.writeFailed(B) // unknown: ignored
    expect(tracker.has(B)).toBe(false)
  })

  it('drops unhealthy peers when the policy is on, with a reason from the failure', async () => {
    const { clock, monitor, drops } = setup({ dropUnhealthy: true })
    monitor.start()
    monitor.peerAdded({ id: A })
    monitor.peerAdded({ id: B })
    monitor.writeFailed(B)
    await clock.advance(30_000)
    expect(drops).toEqual([
      [B, DisconnectReason.TcpError],
      [A, DisconnectReason.ReadTimeout],
    ])
  })

  it('does not drop when the policy is off', async () => {
    const { clock, monitor, drops, tracker } = setup()
    monitor.start()
    monitor.peerAdded({ id: A })
    await clock.advance(31_000)
    expect(tracker.get(A)!.state).toBe('unhealthy')
    expect(drops).toEqual([])
  })

  it('times base-protocol Ping/Pong for peers without ping/1', async () => {
    const pongs: { id: string; resolve: () => void; signal: AbortSignal }[] = []
    const basePing: BasePing = (id, signal) =>
      new Promise((resolve, reject) => {
        pongs.push({ id, resolve, signal })
        signal.addEventListener('abort', () => reject(signal.reason), { once: true })
      })
    const { clock, tracker, monitor } = setup({ basePing })
    monitor.start()
    monitor.peerAdded({ id: A })
    await clock.advance(1_000)
    expect(pongs.map((p) => p.id)).toEqual([A])
    await clock.advance(40)
    pongs[0]!.resolve()
    await clock.advance(0)
    expect(tracker.get(A)).toMatchObject({ rttSource: 'base', rtt: { last: 40 } })
    // Next one after the ping interval; unanswered → timeout failure.
    await clock.advance(14_000)
    expect(pongs).toHaveLength(1)
    await clock.advance(1_000)
    expect(pongs).toHaveLength(2)
    await clock.advance(5_000)
    expect(pongs[1]!.signal.aborted).toBe(true)
    expect(tracker.get(A)).toMatchObject({ state: 'degraded', lastFailure: 'timeout' })
  })

  it('skips base pings for peers that run ping/1', async () => {
    let basePings = 0
    const clock = new ManualClock()
    const tracker = new HealthTracker({ clock })
    const ping = new PingProtocol({ clock, tracker, interval: 0 })
    const monitor = new LivenessMonitor({
      tracker,
      clock,
      ping,
      checkInterval: 1_000,
      basePing: async () => {
        basePings++
      },
    })
    monitors.push(monitor)
    const peer = fakePeer(7)
    const [local] = msgPipe()
    const run = ping.run(peer, local, peer.signal)
    monitor.start()
    monitor.peerAdded({ id: peer.idHex })
    monitor.peerAdded({ id: A })
    await clock.advance(1_000)
    expect(basePings).toBe(1) // A only
    peer.controller.abort()
    await run
    local.close()
  })

  it('forgets removed peers and releases every timer on stop', async () => {
    const { clock, tracker, monitor } = setup({ basePing: () => new Promise(() => {}) })
    monitor.start()
    monitor.start()
    monitor.peerAdded({ id: A })
    await clock.advance(1_000)
    monitor.peerRemoved(A)
    expect(tracker.has(A)).toBe(false)
    expect(monitor.peers()).toEqual([])
    monitor.stop()
    expect(monitor.running).toBe(false)
    expect(clock.pending).toBe(0)
  })

  it('refuses dropUnhealthy without a disconnect hook', () => {
    expect(
      () => new LivenessMonitor({ tracker: new HealthTracker(), dropUnhealthy: true }),
    ).toThrow(RangeError)
  })
})

describe('LivenessMonitor.messageEvent', () => {
  it('counts received messages as activity and times the peer layer’s base Ping/Pong', async () => {
    const { clock, tracker, monitor } = setup()
    monitor.start()
    monitor.peerAdded({ id: A })
    await clock.advance(20_000)
    monitor.messageEvent({ direction: 'received', peer: A, protocol: 'eth', code: 2 })
    expect(tracker.lastSeen(A)).toBe(clock.now())
    monitor.messageEvent({ direction: 'sent', peer: A, protocol: 'p2p', code: 2 })
    await clock.advance(30)
    monitor.messageEvent({ direction: 'sent', peer: A, protocol: 'p2p', code: 2 }) // one at a time
    await clock.advance(12)
    monitor.messageEvent({ direction: 'received', peer: A, protocol: 'p2p', code: 3 })
    expect(tracker.get(A)).toMatchObject({ rttSource: 'base', rtt: { last: 42, samples: 1 } })
    // An unsolicited Pong is activity only.
    monitor.messageEvent({ direction: 'received', peer: A, protocol: 'p2p', code: 3 })
    expect(tracker.get(A)!.rtt.samples).toBe(1)
    // Unknown peers are ignored.
    monitor.messageEvent({ direction: 'received', peer: B, protocol: 'p2p', code: 3 })
    expect(tracker.has(B)).toBe(false)
  })

  it('counts a base Ping without Pong within the timeout as a failure', async () => {
    const { clock, tracker, monitor } = setup()
    monitor.start()
    monitor.peerAdded({ id: A })
    monitor.messageEvent({ direction: 'sent', peer: A, protocol: 'p2p', code: 2 })
    await clock.advance(4_000)
    expect(tracker.get(A)!.rtt.failures).toBe(0)
    await clock.advance(1_000)
    expect(tracker.get(A)).toMatchObject({ state: 'degraded', lastFailure: 'timeout' })
  })
})

describe('LivenessMonitor limits', () => {
  it('evicts the longest-monitored peer when full', () => {
    const { monitor, tracker } = setup({ maxPeers: 2 })
    monitor.peerAdded({ id: A })
    monitor.peerAdded({ id: B })
    monitor.peerAdded({ id: A }) // already known: no eviction
    monitor.peerAdded({ id: 'c'.repeat(128) })
    expect(monitor.peers().map((p) => p.id[0])).toEqual(['b', 'c'])
    expect(tracker.has(A)).toBe(false)
  })
})
