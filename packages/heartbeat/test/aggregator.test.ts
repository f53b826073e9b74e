import { ManualClock } from '@x/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  Aggregator,
  type AggregatorOptions,
  type HeartbeatAlert,
  HeartbeatError,
  type HeartbeatRecord,
} from '../src/index.js'

const closes: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closes.splice(0)) await c()
})

function make(over: AggregatorOptions = {}) {
  const clock = new ManualClock()
  const agg = new Aggregator({ clock, ...over })
  const alerts: HeartbeatAlert[] = []
  agg.addEventListener('alert', (e) => alerts.push(e.detail))
  closes.push(() => agg.stop())
  return { clock, agg, alerts }
}

function peer(n: number) {
  const id = n.toString(16).padStart(2, '0').repeat(64)
  return { idHex: id, remoteAddress: { ip: '127.0.0.1', port: 40_000 + n } }
}

function rec(n: number, height: number, over: Partial<HeartbeatRecord> = {}): HeartbeatRecord {
  return {
    version: 1,
    head: new Uint8Array(32).fill(n),
    height,
    nickname: `node${n}`,
    minerAddress: new Uint8Array(20),
    nodeId: new Uint8Array(64).fill(n),
    clientVersion: 'test/v1',
    peerCount: 1,
    timestamp: 0,
    period: 1_000,
    ...over,
  }
}

describe('Aggregator', () => {
  it('keeps the latest record and a bounded history per node', () => {
    const { agg } = make({ historySize: 3 })
    for (let h = 1; h <= 5; h++) agg.receive(peer(1), rec(1, h))
    const node = agg.node(peer(1).idHex)
    expect(node).toMatchObject({ state: 'ok', beats: 5, nickname: 'node1', connected: true })
    expect(node?.lastBeat.height).toBe(5)
    expect(agg.history(peer(1).idHex)?.map((e) => e.height)).toEqual([3, 4, 5])
    expect(agg.history('unknown')).toBeUndefined()
    expect(agg.highest).toBe(5)
  })

  it('bounds the node count, forgetting the node heard from longest ago', async () => {
    const { agg, clock } = make({ maxNodes: 2 })
    agg.receive(peer(1), rec(1, 1))
    await clock.advance(10)
    agg.receive(peer(2), rec(2, 1))
    await clock.advance(10)
    agg.receive(peer(1), rec(1, 2))
    agg.receive(peer(3), rec(3, 1))
    expect(
      agg
        .nodes()
        .map((n) => n.nickname)
        .sort(),
    ).toEqual(['node1', 'node3'])
  })

  it('raises silent after 3 of the node’s periods, then recovered on its next beat', async () => {
    const { agg, clock, alerts } = make()
    agg.receive(peer(1), rec(1, 10))
    await clock.advance(2_999)
    expect(alerts).toEqual([])
    await clock.advance(1)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ kind: 'silent', nodeId: peer(1).idHex, silentFor: 3_000 })
    expect(agg.node(peer(1).idHex)?.state).toBe('silent')
    await clock.advance(10_000)
    expect(alerts).toHaveLength(1)
    agg.receive(peer(1), rec(1, 11))
    expect(alerts[1]).toMatchObject({ kind: 'recovered', from: 'silent', height: 11 })
    expect(agg.node(peer(1).idHex)?.state).toBe('ok')
  })

  it('never declares silence early when a timer fires before the wall clock is due', async () => {
    // A clock whose timers (longer than 1 ms) run 1 ms ahead of its `now()`, as Node's can.
    const manual = new ManualClock()
    const early = {
      now: () => manual.now(),
      setTimeout: (fn: () => void, ms: number) => manual.setTimeout(fn, ms > 1 ? ms - 1 : ms),
      clearTimeout: (h: ReturnType<ManualClock['setTimeout']>) => manual.clearTimeout(h),
    }
    const agg = new Aggregator({ clock: early })
    closes.push(() => agg.stop())
    const alerts: HeartbeatAlert[] = []
    agg.addEventListener('alert', (e) => alerts.push(e.detail))
    agg.receive(peer(1), rec(1, 10))
    await manual.advance(2_999)
    expect(alerts).toEqual([])
    await manual.advance(1)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]?.silentFor).toBe(3_000)
  })

  it('arms no timer beyond what Node can hold for a record with a huge period', async () => {
    // A clock whose over-long timers fire after 1 ms, as Node's do (TimeoutOverflowWarning).
    const manual = new ManualClock()
    const delays: number[] = []
    const nodeLike = {
      now: () => manual.now(),
      setTimeout: (fn: () => void, ms: number) => {
        delays.push(ms)
        return manual.setTimeout(fn, ms > 2 ** 31 - 1 ? 1 : ms)
      },
      clearTimeout: (h: ReturnType<ManualClock['setTimeout']>) => manual.clearTimeout(h),
    }
    const agg = new Aggregator({ clock: nodeLike })
    closes.push(() => agg.stop())
    const alerts: HeartbeatAlert[] = []
    agg.addEventListener('alert', (e) => alerts.push(e.detail))
    const period = 1e12
    agg.receive(peer(1), rec(1, 10, { period }))
    await manual.advance(1_000)
    expect(delays).toHaveLength(1)
    expect(alerts).toEqual([])
    await manual.advance(3 * period - 1_000)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]?.silentFor).toBe(3 * period)
    expect(Math.max(...delays)).toBeLessThanOrEqual(2 ** 31 - 1)
  })

  it('uses the default period for a record that says 0', async () => {
    const { agg, clock, alerts } = make({ defaultPeriod: '2s' })
    agg.receive(peer(1), rec(1, 1, { period: 0 }))
    await clock.advance(5_999)
    expect(alerts).toEqual([])
    await clock.advance(1)
    expect(alerts[0]?.kind).toBe('silent')
  })

  it('raises behind when a node lags the highest by more than the threshold, and recovered', () => {
    const { agg, alerts } = make({ heightThreshold: 10 })
    agg.receive(peer(1), rec(1, 100))
    agg.receive(peer(2), rec(2, 90))
    expect(alerts).toEqual([])
    agg.receive(peer(1), rec(1, 101))
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      kind: 'behind',
      nodeId: peer(2).idHex,
      height: 90,
      highest: 101,
    })
    agg.receive(peer(2), rec(2, 95))
    expect(alerts).toHaveLength(2)
    expect(alerts[1]).toMatchObject({ kind: 'recovered', from: 'behind', height: 95 })
  })

  it('a node whose beat is itself behind is alerted at once', () => {
    const { agg, alerts } = make({ heightThreshold: 5 })
    agg.receive(peer(1), rec(1, 100))
    agg.receive(peer(2), rec(2, 10))
    expect(alerts.map((a) => [a.kind, a.nickname])).toEqual([['behind', 'node2']])
  })

  it('hands alerts to registered handlers; a failing handler breaks nothing', async () => {
    const { agg, clock } = make()
    const got: string[] = []
    agg.onAlert(() => {
      throw new Error('bad handler')
    })
    agg.onAlert(async () => {
      throw new Error('bad async handler')
    })
    const off = agg.onAlert((a) => {
      got.push(a.kind)
    })
    agg.receive(peer(1), rec(1, 1))
    await clock.advance(3_000)
    expect(got).toEqual(['silent'])
    off()
    agg.receive(peer(1), rec(1, 2))
    expect(got).toEqual(['silent'])
    expect(agg.alerts().map((a) => a.kind)).toEqual(['silent', 'recovered'])
  })

  it('bounds the alerts it keeps', async () => {
    const { agg, clock } = make({ maxAlerts: 3 })
    for (let i = 0; i < 4; i++) {
      agg.receive(peer(1), rec(1, i))
      await clock.advance(3_000)
    }
    expect(agg.alerts()).toHaveLength(3)
    expect(agg.alerts(1)).toHaveLength(1)
  })

  it('stop clears every timer and ignores later beats', async () => {
    const { agg, clock } = make()
    agg.receive(peer(1), rec(1, 1))
    agg.receive(peer(2), rec(2, 1))
    expect(clock.pending).toBe(2)
    await agg.stop()
    expect(clock.pending).toBe(0)
    agg.receive(peer(3), rec(3, 1))
    expect(agg.nodes()).toHaveLength(2)
  })

  it('rejects bad options at construction', () => {
    expect(() => new Aggregator({ defaultPeriod: 'x' })).toThrow(HeartbeatError)
    expect(() => new Aggregator({ maxNodes: 0 })).toThrow(HeartbeatError)
    expect(() => new Aggregator({ heightThreshold: -1 })).toThrow(HeartbeatError)
    expect(() => new Aggregator({ webhook: 'not a url' })).toThrow(HeartbeatError)
    expect(() => new Aggregator({ webhook: 'ftp://x/' })).toThrow(HeartbeatError)
  })
})
