import { ManualClock } from '@x/core/testing'
import { formatEnode, generatePrivateKey, nodeIdFromPrivateKey } from '@x/discover'
import { DisconnectReason, RemoteDisconnectError } from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createHeartbeatServices,
  type HeartbeatConnector,
  HeartbeatError,
  HeartbeatService,
  type HeartbeatServiceOptions,
  heartbeatAlertsEnvVar,
} from '../src/index.js'
import { fakeLink, randomNode, recordingLogger } from './helpers.js'

const target = randomNode()
const nodeId = nodeIdFromPrivateKey(generatePrivateKey())
const head = { hash: new Uint8Array(32).fill(1), height: 42 }
const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0)) await s()
})

function options(over: Partial<HeartbeatServiceOptions> = {}): HeartbeatServiceOptions {
  return {
    beatTarget: formatEnode(target),
    beatPeriod: '3s',
    reconnectPeriod: '10s',
    nickname: 'n1',
    headGetter: () => head,
    nodeId,
    connector: async () => {
      throw new Error('refused')
    },
    ...over,
  }
}

async function start(service: HeartbeatService): Promise<void> {
  const ac = new AbortController()
  await service.start(ac.signal)
  stops.push(async () => {
    ac.abort()
    await service.stop()
  })
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(HeartbeatError)
    return (e as HeartbeatError).code
  }
  return undefined
}

describe('HeartbeatService configuration', () => {
  it('rejects invalid durations at construction', () => {
    expect(codeOf(() => new HeartbeatService(options({ beatPeriod: 'soon' })))).toBe(
      'ERR_INVALID_DURATION',
    )
    expect(codeOf(() => new HeartbeatService(options({ reconnectPeriod: '0s' })))).toBe(
      'ERR_INVALID_DURATION',
    )
    expect(codeOf(() => new HeartbeatService(options({ beatPeriod: '10' })))).toBe(
      'ERR_INVALID_DURATION',
    )
  })

  it('rejects a bad target and a missing way to connect', () => {
    expect(codeOf(() => new HeartbeatService(options({ beatTarget: 'enode://nope' })))).toBe(
      'ERR_INVALID_CONFIG',
    )
    const { connector: _, ...noConnector } = options()
    expect(codeOf(() => new HeartbeatService(noConnector))).toBe('ERR_INVALID_CONFIG')
  })

  it('reads the periods and builds records with the zero address by default', () => {
    const s = new HeartbeatService(options({ beatPeriod: '500ms', reconnectPeriod: '1m' }))
    expect(s.beatPeriod).toBe(500)
    expect(s.reconnectPeriod).toBe(60_000)
    const r = s.beat()
    expect(r).toMatchObject({ height: 42, nickname: 'n1', peerCount: 0, period: 500 })
    expect(r.minerAddress).toEqual(new Uint8Array(20))
    expect(r.nodeId).toEqual(nodeId)
    const miner = new Uint8Array(20).fill(9)
    const s2 = new HeartbeatService(
      options({ minerAddressGetter: () => miner, peerCountGetter: () => 5 }),
    )
    expect(s2.beat()).toMatchObject({ minerAddress: miner, peerCount: 5 })
  })

  it('adds an alerts service from X_HEARTBEAT_ALERTS with 10 s periods', () => {
    expect(heartbeatAlertsEnvVar).toBe('X_HEARTBEAT_ALERTS')
    expect(createHeartbeatServices(options(), {})).toHaveLength(1)
    const other = randomNode('10.0.0.9', 30310)
    const [main, alerts] = createHeartbeatServices(options(), {
      X_HEARTBEAT_ALERTS: formatEnode(other),
    })
    expect(main?.beatPeriod).toBe(3_000)
    expect(alerts?.target.idHex).toBe(other.idHex)
    expect(alerts?.beatPeriod).toBe(10_000)
    expect(alerts?.reconnectPeriod).toBe(10_000)
    expect(alerts?.protocol).toBe(main?.protocol)
    expect(() => createHeartbeatServices(options(), { X_HEARTBEAT_ALERTS: 'bogus' })).toThrow(
      HeartbeatError,
    )
  })
})

describe('HeartbeatService connection loop', () => {
  it('retries every reconnectPeriod', async () => {
    const clock = new ManualClock()
    let attempts = 0
    const connector: HeartbeatConnector = async () => {
      attempts++
      throw new Error('refused')
    }
    await start(new HeartbeatService(options({ clock, connector })))
    await clock.advance(0)
    expect(attempts).toBe(1)
    await clock.advance(9_999)
    expect(attempts).toBe(1)
    await clock.advance(1)
    expect(attempts).toBe(2)
    await clock.advance(20_000)
    expect(attempts).toBe(4)
  })

  it('logs failures at warn and escalates to error at most once per 10 minutes, with the duration', async () => {
    const clock = new ManualClock()
    const log = recordingLogger()
    const service = new HeartbeatService(options({ clock, logger: log }))
    const events: { level: string; failingFor: number }[] = []
    service.addEventListener('connect:failed', (e) => events.push(e.detail))
    await start(service)
    await clock.advance(30 * 60_000)
    const errors = events.filter((e) => e.level === 'error')
    expect(events.length).toBe(181)
    expect(errors.map((e) => e.failingFor)).toEqual([600_000, 1_200_000, 1_800_000])
    expect(events[0]).toMatchObject({ level: 'warn', failingFor: 0 })
    const errorLines = log.lines.filter((l) => l.level === 'error')
    expect(errorLines).toHaveLength(3)
    expect(errorLines[0]?.fields).toMatchObject({ failingFor: '10m' })
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(178)
  })

  it('resets the failure duration after a successful connection', async () => {
    const clock = new ManualClock()
    let up = false
    const fake = fakeLink()
    const connector: HeartbeatConnector = async () => {
      if (up) return fake.link
      throw new Error('refused')
    }
    const service = new HeartbeatService(options({ clock, connector }))
    const events: { level: string; failingFor: number }[] = []
    service.addEventListener('connect:failed', (e) => events.push(e.detail))
    await start(service)
    await clock.advance(9 * 60_000)
    up = true
    await clock.advance(10_000)
    expect(fake.sent.length).toBeGreaterThan(0)
    up = false
    fake.drop()
    await clock.advance(10_000)
    expect(events.at(-1)).toMatchObject({ level: 'warn', failingFor: 0 })
    await clock.advance(9 * 60_000)
    expect(events.every((e) => e.level === 'warn')).toBe(true)
  })

  it('beats at once and every beatPeriod while connected', async () => {
    const clock = new ManualClock()
    const fake = fakeLink()
    const service = new HeartbeatService(options({ clock, connector: async () => fake.link }))
    await start(service)
    await clock.advance(0)
    expect(fake.sent).toHaveLength(1)
    await clock.advance(2_999)
    expect(fake.sent).toHaveLength(1)
    await clock.advance(1)
    expect(fake.sent).toHaveLength(2)
    await clock.advance(30_000)
    expect(fake.sent).toHaveLength(12)
    expect(fake.sent.map((r) => r.timestamp - fake.sent[0]!.timestamp).slice(0, 3)).toEqual([
      0, 3_000, 6_000,
    ])
  })

  it('a send failure ends run, closes the link and reconnects after reconnectPeriod', async () => {
    const clock = new ManualClock()
    const links = [fakeLink(), fakeLink()]
    let attempts = 0
    const service = new HeartbeatService(
      options({ clock, connector: async () => links[attempts++]!.link }),
    )
    const disconnects: unknown[] = []
    service.addEventListener('disconnected', (e) => disconnects.push(e.detail.error))
    await start(service)
    await clock.advance(0)
    links[0]!.fail()
    await clock.advance(3_000)
    expect(disconnects).toHaveLength(1)
    expect((disconnects[0] as HeartbeatError).code).toBe('ERR_SEND_FAILED')
    expect(links[0]!.closed).toBe(1)
    expect(attempts).toBe(1)
    await clock.advance(10_000)
    expect(attempts).toBe(2)
    expect(links[1]!.sent).toHaveLength(1)
  })

  it('reconnects at once (once) when the aggregator drops the link as “already connected”', async () => {
    const clock = new ManualClock()
    const links = [fakeLink(), fakeLink(), fakeLink(), fakeLink()]
    let attempts = 0
    const service = new HeartbeatService(
      options({ clock, connector: async () => links[attempts++]!.link }),
    )
    await start(service)
    await clock.advance(0)
    expect(attempts).toBe(1)
    const duplicate = () => new RemoteDisconnectError(DisconnectReason.AlreadyConnected)
    // The node's own connection won the race: the next connect (sharing it) comes at once.
    links[0]!.drop(duplicate())
    await clock.advance(0)
    expect(attempts).toBe(2)
    expect(links[1]!.sent).toHaveLength(1)
    // A second such drop in a row waits the reconnect period, as any other loss does.
    links[1]!.drop(duplicate())
    await clock.advance(0)
    expect(attempts).toBe(2)
    await clock.advance(10_000)
    expect(attempts).toBe(3)
    // Any other reason waits too.
    links[2]!.drop(new RemoteDisconnectError(DisconnectReason.TooManyPeers))
    await clock.advance(0)
    expect(attempts).toBe(3)
    await clock.advance(10_000)
    expect(attempts).toBe(4)
  })

  it('emits beat:sent for each beat and beat:failed for a failed send', async () => {
    const clock = new ManualClock()
    const service = new HeartbeatService(options({ clock }))
    const results: string[] = []
    service.addEventListener('beat:sent', () => results.push('sent'))
    service.addEventListener('beat:failed', (e) =>
      results.push((e.detail.error as HeartbeatError).code),
    )
    const ok = fakeLink()
    const run = service.run(ok.link, new AbortController().signal)
    await clock.advance(0)
    ok.drop()
    await expect(run).rejects.toMatchObject({ code: 'ERR_LINK_CLOSED' })
    const bad = fakeLink()
    bad.fail()
    await expect(service.run(bad.link, new AbortController().signal)).rejects.toMatchObject({
      code: 'ERR_SEND_FAILED',
    })
    expect(results).toEqual(['sent', 'ERR_SEND_FAILED'])
    expect(clock.pending).toBe(0)
  })

  it('run rejects with ERR_SEND_FAILED on a failed send and ERR_LINK_CLOSED on a dropped link', async () => {
    const clock = new ManualClock()
    const service = new HeartbeatService(options({ clock }))
    const a = fakeLink()
    a.fail()
    await expect(service.run(a.link, new AbortController().signal)).rejects.toMatchObject({
      code: 'ERR_SEND_FAILED',
    })
    const b = fakeLink()
    const run = service.run(b.link, new AbortController().signal)
    await clock.advance(0)
    b.drop()
    await expect(run).rejects.toMatchObject({ code: 'ERR_LINK_CLOSED' })
    expect(clock.pending).toBe(0)
  })

  it('stops promptly on abort, closing the link and every timer', async () => {
    const clock = new ManualClock()
    const fake = fakeLink()
    const service = new HeartbeatService(options({ clock, connector: async () => fake.link }))
    const ac = new AbortController()
    await service.start(ac.signal)
    await clock.advance(1_000)
    expect(service.running).toBe(true)
    ac.abort()
    await service.stop()
    expect(fake.closed).toBe(1)
    expect(service.running).toBe(false)
    expect(clock.pending).toBe(0)
  })

  it('stop() ends a loop that is waiting to reconnect', async () => {
    const clock = new ManualClock()
    const service = new HeartbeatService(options({ clock }))
    await service.start()
    await clock.advance(0)
    await service.stop()
    expect(clock.pending).toBe(0)
  })

  it('skips a beat whose head getter throws, and keeps beating', async () => {
    const clock = new ManualClock()
    const fake = fakeLink()
    let n = 0
    const service = new HeartbeatService(
      options({
        clock,
        connector: async () => fake.link,
        headGetter: () => {
          if (n++ === 1) throw new Error('no head')
          return head
        },
      }),
    )
    await start(service)
    await clock.advance(6_000)
    expect(fake.sent).toHaveLength(2)
  })
})
