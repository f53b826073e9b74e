import { flush, ManualClock } from '@x/core/testing'
import { Node, type NodeId } from '@x/discover'
import { afterEach, describe, expect, it } from 'vitest'
import { type DialDiscovery, type DialKind, DialScheduler } from '../../src/index.js'

let port = 1000
function node(ip = '10.0.0.1'): Node {
  return new Node({ id: crypto.getRandomValues(new Uint8Array(64)), ip, udp: port, tcp: port++ })
}

class FakeDiscovery implements DialDiscovery {
  table: Node[] = []
  readonly lookup: Node[] = []
  #wake: (() => void) | undefined
  iteratorClosed = false
  resolves: { id: NodeId; at: number }[] = []
  resolveTo: Node | undefined

  constructor(private readonly clock: ManualClock) {}

  readRandomNodes(n: number): Node[] {
    return this.table.slice(0, n)
  }

  feed(...nodes: Node[]): void {
    this.lookup.push(...nodes)
    this.#wake?.()
  }

  async *randomNodes({ signal }: { signal: AbortSignal }): AsyncIterableIterator<Node> {
    try {
      while (!signal.aborted) {
        const n = this.lookup.shift()
        if (n) {
          yield n
          continue
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve
          signal.addEventListener('abort', () => resolve(), { once: true })
        })
      }
    } finally {
      this.iteratorClosed = true
    }
  }

  async resolve(id: NodeId): Promise<Node | undefined> {
    this.resolves.push({ id, at: this.clock.now() })
    return this.resolveTo
  }
}

interface Dial {
  node: Node
  kind: DialKind
  succeed(): void
  fail(): void
}

let clock: ManualClock
let sched: DialScheduler | undefined
afterEach(async () => {
  await sched?.stop()
  sched = undefined
  expect(clock.pending).toBe(0)
})

function make(options: {
  maxDialPeers?: number
  discovery?: DialDiscovery
  bootnodes?: Node[]
  allowed?: (n: Node) => boolean
  /** Dials resolve right away as failures unless held. */
  hold?: boolean
}) {
  const dials: Dial[] = []
  const s = new DialScheduler({
    self: crypto.getRandomValues(new Uint8Array(64)),
    maxDialPeers: options.maxDialPeers ?? 0,
    clock,
    ...(options.discovery ? { discovery: options.discovery } : {}),
    ...(options.bootnodes ? { bootnodes: options.bootnodes } : {}),
    ...(options.allowed ? { allowed: options.allowed } : {}),
    dial: (n, kind) =>
      new Promise<void>((resolve, reject) => {
        const d = {
          node: n,
          kind,
          succeed: () => {
            s.peerAdded(n.id, kind === 'dynamic')
            resolve()
          },
          fail: () => reject(new Error('refused')),
        }
        dials.push(d)
        if (!options.hold) d.fail()
      }),
  })
  sched = s
  return { s, dials }
}

describe('DialScheduler', () => {
  it('fills 2 × maxDialPeers dynamic slots, half from the table and the rest from lookups', async () => {
    clock = new ManualClock()
    const disc = new FakeDiscovery(clock)
    disc.table = [node(), node(), node(), node(), node()]
    const looked = [node(), node(), node(), node()]
    disc.feed(...looked)
    const { s, dials } = make({ maxDialPeers: 2, discovery: disc, hold: true })
    s.start()
    await flush()
    expect(dials).toHaveLength(4)
    expect(dials.slice(0, 2).map((d) => d.node)).toEqual(disc.table.slice(0, 2))
    expect(dials.slice(2).map((d) => d.node)).toEqual(looked.slice(0, 2))
    expect(dials.every((d) => d.kind === 'dynamic')).toBe(true)
    // Two succeed: the target of 2 dialed peers is met, nothing new starts.
    dials[0]?.succeed()
    dials[1]?.succeed()
    dials[2]?.fail()
    await flush()
    expect(dials).toHaveLength(4)
    // One drops: slots reopen.
    s.peerRemoved(dials[0]?.node.id as NodeId)
    await flush()
    expect(dials.length).toBeGreaterThan(4)
  })

  it('does not redial a node within 35 s of the last attempt', async () => {
    clock = new ManualClock()
    const disc = new FakeDiscovery(clock)
    const n = node()
    disc.table = [n]
    const { s, dials } = make({ maxDialPeers: 1, discovery: disc })
    s.start()
    await flush()
    // maxDialPeers 1 → 2 slots → 1 from the table.
    expect(dials.map((d) => d.node)).toEqual([n])
    await clock.advance(34_000)
    expect(dials).toHaveLength(1)
    await clock.advance(1_000)
    expect(dials).toHaveLength(2)
  })

  it('dials static nodes outside the dynamic slots, at most 16 at once', async () => {
    clock = new ManualClock()
    const { s, dials } = make({ maxDialPeers: 0, hold: true })
    s.start()
    const statics = Array.from({ length: 20 }, () => node())
    for (const n of statics) s.addStatic(n)
    expect(dials).toHaveLength(16)
    expect(dials.every((d) => d.kind === 'static')).toBe(true)
    dials[0]?.succeed()
    await flush()
    expect(dials).toHaveLength(17)
    expect(s.isStatic(statics[0]?.id as NodeId)).toBe(true)
    for (const d of dials.slice(1)) d.fail()
    await flush()
  })

  it('keeps static nodes connected: redials after a drop once history allows', async () => {
    clock = new ManualClock()
    const { s, dials } = make({ hold: true })
    s.start()
    const n = node()
    s.addStatic(n)
    dials[0]?.succeed()
    await flush()
    s.peerRemoved(n.id)
    await clock.advance(34_999)
    expect(dials).toHaveLength(1)
    await clock.advance(1)
    expect(dials).toHaveLength(2)
    s.removeStatic(n.id)
    dials[1]?.fail()
    await clock.advance(100_000)
    expect(dials).toHaveLength(2)
  })

  it('re-resolves a failing static node with backoff and dials where it moved', async () => {
    clock = new ManualClock()
    const disc = new FakeDiscovery(clock)
    const { s, dials } = make({ discovery: disc })
    s.start()
    const n = node('10.0.0.1')
    s.addStatic(n)
    await flush()
    // First failure: resolved at once; not found → delay doubles to 120 s.
    expect(disc.resolves.map((r) => r.at - clock.now())).toEqual([0])
    await clock.advance(35_000) // redial fails; 35 s < 120 s: no resolve
    expect(dials).toHaveLength(2)
    expect(disc.resolves).toHaveLength(1)
    await clock.advance(35_000 * 3) // at 140 s: resolves again
    expect(disc.resolves).toHaveLength(2)
    const moved = n.withEndpoint({ ip: '10.0.0.2' })
    disc.resolveTo = moved
    await clock.advance(500_000)
    const last = dials.at(-1)
    expect(last?.node.ip).toBe('10.0.0.2')
  })

  it('dials a bootnode when there are no peers 20 s after start', async () => {
    clock = new ManualClock()
    const boot = [node(), node()]
    const { s, dials } = make({ maxDialPeers: 3, bootnodes: boot })
    s.start()
    await clock.advance(19_999)
    expect(dials).toHaveLength(0)
    await clock.advance(1)
    expect(dials.map((d) => d.node)).toEqual([boot[0]])
    await clock.advance(20_000)
    expect(dials.map((d) => d.node)).toEqual([boot[0], boot[1]])
  })

  it('does not use bootnodes while it has peers', async () => {
    clock = new ManualClock()
    const { s, dials } = make({ maxDialPeers: 3, bootnodes: [node()] })
    s.start()
    s.peerAdded(node().id, false)
    await clock.advance(60_000)
    expect(dials).toHaveLength(0)
  })

  it('skips candidates that are not allowed, connected, or ourselves', async () => {
    clock = new ManualClock()
    const disc = new FakeDiscovery(clock)
    const outside = node('192.168.1.1')
    const connected = node()
    const ok = node()
    disc.table = [outside, connected, ok, node()]
    const { s, dials } = make({
      maxDialPeers: 4,
      discovery: disc,
      allowed: (n) => n.ip.startsWith('10.'),
      hold: true,
    })
    s.peerAdded(connected.id, false)
    s.start()
    await flush()
    expect(dials.map((d) => d.node)).toEqual([ok, disc.table[3]])
    for (const d of dials) d.fail()
    await flush()
  })

  it('pauses the lookup pump when every candidate is undialable instead of spinning', async () => {
    clock = new ManualClock()
    const disc = new FakeDiscovery(clock)
    const connected = node()
    disc.feed(...Array.from({ length: 100 }, () => connected))
    const { s, dials } = make({ maxDialPeers: 2, discovery: disc })
    s.peerAdded(connected.id, false)
    s.start()
    await flush()
    // 32 skipped, and one more held in the candidate mix's one-node buffer (fairMix).
    expect(disc.lookup).toHaveLength(100 - 32 - 1)
    await clock.advance(1_000)
    expect(disc.lookup).toHaveLength(100 - 64 - 1)
    expect(dials).toHaveLength(0)
  })

  it('stop closes the discovery iterator and clears its timers', async () => {
    clock = new ManualClock()
    const disc = new FakeDiscovery(clock)
    const { s } = make({ maxDialPeers: 2, discovery: disc, bootnodes: [node()] })
    s.start()
    await flush()
    await s.stop()
    expect(disc.iteratorClosed).toBe(true)
    expect(s.running).toBe(false)
  })

  it('takes a discovery handed over while running, and lets go of a replaced one', async () => {
    clock = new ManualClock()
    const { s, dials } = make({ maxDialPeers: 1, hold: true })
    s.start()
    await flush()
    expect(dials).toHaveLength(0)
    const first = new FakeDiscovery(clock)
    first.feed(node())
    await s.setDiscovery(first)
    await flush()
    expect(dials).toHaveLength(1)
    const second = new FakeDiscovery(clock)
    second.table = [node(), node()]
    await s.setDiscovery(second)
    expect(first.iteratorClosed).toBe(true)
    // A dial slot frees: the new discovery's table feeds it.
    dials[0]?.fail()
    await flush()
    expect(dials.map((d) => d.node)).toContain(second.table[0])
    await s.setDiscovery(undefined)
    expect(second.iteratorClosed).toBe(true)
  })
})
