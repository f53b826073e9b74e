import { ManualClock } from '@x/core/testing'
import { generatePrivateKey, Node, nodeIdFromPrivateKey, parseEnodeTarget } from '@x/discover'
import { afterEach, describe, expect, it } from 'vitest'
import { DialScheduler, type DialSource, fairMix } from '../../src/index.js'

let port = 2000
const node = (ip = '10.0.0.1') =>
  new Node({ id: crypto.getRandomValues(new Uint8Array(64)), ip, udp: port, tcp: port++ })

/** A source that yields `nodes` then waits forever (until abort), recording that it closed. */
function source(nodes: Node[], opts: { slowMs?: number } = {}) {
  const state = { closed: false, given: 0 }
  const fn: DialSource = (o) =>
    (async function* () {
      try {
        for (const n of nodes) {
          if (opts.slowMs) await new Promise((r) => setTimeout(r, opts.slowMs))
          state.given++
          yield n
        }
        await new Promise<void>((r) =>
          o.signal.addEventListener('abort', () => r(), { once: true }),
        )
      } finally {
        state.closed = true
      }
    })()
  return Object.assign(fn, { state })
}

describe('fairMix', () => {
  it('alternates between ready sources and lets a slow one through', async () => {
    const a = Array.from({ length: 6 }, () => node())
    const b = Array.from({ length: 2 }, () => node())
    const fast = source(a)
    const slow = source(b, { slowMs: 5 })
    const ac = new AbortController()
    const mix = fairMix([fast, slow], { signal: ac.signal })
    const got: Node[] = []
    for (let i = 0; i < 8; i++) got.push((await mix.next()).value as Node)
    expect(new Set(got)).toEqual(new Set([...a, ...b]))
    // The fast source could not run ahead by more than its one-node buffer per turn.
    expect(fast.state.given).toBeLessThanOrEqual(7)
    ac.abort()
    expect((await mix.next()).done).toBe(true)
    expect(fast.state.closed && slow.state.closed).toBe(true)
  })

  it('drops a source that throws and goes on with the others', async () => {
    const good = source([node(), node()])
    const bad: DialSource = () => ({
      next: () => Promise.reject(new Error('broken')),
    })
    const ac = new AbortController()
    const mix = fairMix([bad, good], { signal: ac.signal })
    expect((await mix.next()).value).toBeInstanceOf(Node)
    expect((await mix.next()).value).toBeInstanceOf(Node)
    ac.abort()
    await mix.return()
  })
})

describe('DialScheduler with dial sources and host names', () => {
  let sched: DialScheduler | undefined
  let clock: ManualClock
  afterEach(async () => {
    await sched?.stop()
    expect(clock.pending).toBe(0)
  })

  it('dials candidates of a source without any discovery (DNS discovery with --nodiscover off)', async () => {
    clock = new ManualClock()
    const dns = source([node(), node(), node()])
    const dialed: Node[] = []
    sched = new DialScheduler({
      self: crypto.getRandomValues(new Uint8Array(64)),
      maxDialPeers: 2,
      clock,
      sources: [dns],
      dial: async (n) => {
        dialed.push(n)
        throw new Error('refused')
      },
    })
    await sched.start()
    await clock.advance(10)
    expect(dialed.length).toBeGreaterThanOrEqual(2)
    await sched.stop()
    expect(dns.state.closed).toBe(true)
  })

  it('resolves a static host name before dialing; a name that does not resolve is not dialed', async () => {
    clock = new ManualClock()
    const id = Buffer.from(nodeIdFromPrivateKey(generatePrivateKey())).toString('hex')
    const good = parseEnodeTarget(`enode://${id}@static.devp2p.test:30303`)
    const other = Buffer.from(nodeIdFromPrivateKey(generatePrivateKey())).toString('hex')
    const bad = parseEnodeTarget(`enode://${other}@nowhere.devp2p.test:30303`)
    const asked: string[] = []
    const dialed: Node[] = []
    sched = new DialScheduler({
      self: crypto.getRandomValues(new Uint8Array(64)),
      maxDialPeers: 0,
      clock,
      hostResolver: async (host) => {
        asked.push(host)
        if (host === 'static.devp2p.test') return ['127.0.0.9']
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
      },
      dial: async (n) => {
        dialed.push(n)
        throw new Error('refused')
      },
    })
    sched.addStatic(good)
    sched.addStatic(bad)
    await sched.start()
    await clock.advance(10)
    expect(asked.sort()).toEqual(['nowhere.devp2p.test', 'static.devp2p.test'])
    expect(dialed.map((n) => `${n.idHex}@${n.ip}:${n.tcp}`)).toEqual([`${id}@127.0.0.9:30303`])
  })
})
