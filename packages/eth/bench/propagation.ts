// Transaction propagation over a 50-node in-process network (the real p2p Server and eth handler
// on the in-memory network): each node dials 4 random others; one transaction is injected at one
// node; we time until every node's pool has it and count, per node, full deliveries of it
// (Transactions / PooledTransactions received), announcements received, and eth messages.

import { encodeList, encodeUint } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { generatePrivateKey, Node } from '@x/discover'
import { seededRandom } from '@x/discover/testing'
import { type MsgEvent, Server } from '@x/p2p'
import { MemoryNetwork } from '@x/p2p/testing'
import { median, recordResult } from '../../../bench/record.ts'
import { devnet, EthHandler, MsgCode, memoryBackend, txHash } from '../src/index.js'

const nodes = 50
const dialsPerNode = 4
/** Rounds (seeds) run; `PROP_ROUNDS=20 pnpm bench propagation` for a wider sample. */
const rounds = Number(process.env.PROP_ROUNDS ?? 20)

interface Counters {
  full: number
  announced: number
  ethMessages: number
}

async function round(seed: number) {
  const clock = new ManualClock()
  const net = new MemoryNetwork({ now: () => clock.now() })
  const rand = seededRandom(seed)
  const keys = Array.from({ length: nodes }, () => generatePrivateKey())
  const servers: Server[] = []
  const handlers: EthHandler[] = []
  const backends: ReturnType<typeof memoryBackend>[] = []
  const counters: Counters[] = []
  const ids: Node[] = []
  const links: number[][] = []
  for (let i = 0; i < nodes; i++) {
    const s = new Server({ privateKey: keys[i] as Uint8Array, listenAddress: null, noDial: true })
    ids.push(new Node({ id: s.id, ip: `10.0.${i >> 8}.${i & 255}`, udp: 30303, tcp: 30303 }))
  }
  for (let i = 0; i < nodes; i++) {
    const backend = memoryBackend(devnet, { clock })
    const eth = new EthHandler({
      backend,
      chain: devnet,
      clock,
      random: seededRandom(seed * 1_000 + i),
    })
    const c: Counters = { full: 0, announced: 0, ethMessages: 0 }
    const statics = new Set<number>()
    while (statics.size < dialsPerNode) {
      const j = Math.floor(rand() * nodes)
      if (j !== i) statics.add(j)
    }
    const server = new Server({
      privateKey: keys[i] as Uint8Array,
      network: net.host(ids[i]?.ip as string),
      clock,
      listenAddress: { ip: ids[i]?.ip as string, port: 30303 },
      protocols: eth.protocols,
      noDiscovery: true,
      onMessage: (e: MsgEvent) => {
        if (e.direction !== 'received' || e.protocol !== 'eth') return
        c.ethMessages++
        if (e.code === MsgCode.Transactions || e.code === MsgCode.PooledTransactions) c.full++
        if (e.code === MsgCode.NewPooledTransactionHashes) c.announced++
      },
    })
    await server.start()
    servers.push(server)
    handlers.push(eth)
    backends.push(backend)
    counters.push(c)
    links.push([...statics])
  }
  // Dial only once every node listens.
  links.forEach((targets, i) => {
    for (const j of targets) servers[i]?.addPeer(ids[j] as Node)
  })
  for (let i = 0; i < 2000 && handlers.some((h) => h.peers.len === 0); i++) await clock.advance(10)
  // Let every static dial complete.
  for (let i = 0; i < 100; i++) await clock.advance(100)
  const degrees = handlers.map((h) => h.peers.len)
  for (const c of counters) {
    c.full = 0
    c.announced = 0
    c.ethMessages = 0
  }
  const tx = encodeList([encodeUint(seed), encodeUint(21_000), encodeUint(1)])
  const hash = txHash(tx)
  const start = performance.now()
  const virtualStart = clock.now()
  handlers[0]?.broadcastTransactions(backends[0]?.txPool.add([tx]) ?? [])
  let spins = 0
  while (!backends.every((b) => b.txPool.has(hash)) && spins < 100_000) {
    // Let the messages in flight land; move virtual time only when nothing else is left.
    for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r))
    if (!backends.every((b) => b.txPool.has(hash))) await clock.advance(10)
    spins++
  }
  const ms = performance.now() - start
  const virtualMs = clock.now() - virtualStart
  const reached = backends.filter((b) => b.txPool.has(hash)).length
  // Let the last announcements and requests settle before counting.
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r))
  const others = counters.slice(1)

  const result = {
    ms,
    virtualMs,
    reached,
    meanDegree: degrees.reduce((a, b) => a + b, 0) / nodes,
    maxFullPerNode: Math.max(...others.map((c) => c.full)),
    maxDuplicatesPerNode: Math.max(...others.map((c) => Math.max(0, c.full - 1))),
    meanDuplicatesPerNode: others.reduce((a, c) => a + Math.max(0, c.full - 1), 0) / others.length,
    /** Degree of the node with the most full deliveries. */
    worstNodeDegree:
      degrees[1 + others.findIndex((c) => c.full === Math.max(...others.map((o) => o.full)))] ?? 0,
    /** Full copies sent in all (≈ Σ over nodes of √(peers lacking it)). */
    totalFullDeliveries: others.reduce((a, c) => a + c.full, 0),
    meanFullPerNode: others.reduce((a, c) => a + c.full, 0) / others.length,
    /** [degree, full deliveries] of every node but the origin. */
    fullByDegree: others.map((c, i) => [degrees[i + 1] ?? 0, c.full] as const),
    meanAnnouncedPerNode: others.reduce((a, c) => a + c.announced, 0) / others.length,
    meanEthMessagesPerNode: counters.reduce((a, c) => a + c.ethMessages, 0) / nodes,
  }
  for (const h of handlers) h.close()
  await Promise.all(servers.map((s) => s.stop()))
  return result
}

function byDegree(pairs: readonly (readonly [number, number])[]) {
  const groups = new Map<number, number[]>()
  for (const [d, full] of pairs) groups.set(d, [...(groups.get(d) ?? []), full])
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([degree, fulls]) => ({
      degree,
      nodes: fulls.length,
      meanFull: Math.round((fulls.reduce((a, b) => a + b, 0) / fulls.length) * 100) / 100,
      over3: Math.round((fulls.filter((f) => f > 3).length / fulls.length) * 1000) / 1000,
    }))
}

export async function run(): Promise<void> {
  const results: Awaited<ReturnType<typeof round>>[] = []
  for (let r = 0; r < rounds; r++) results.push(await round(r + 1))
  type Numeric = Exclude<keyof (typeof results)[number], 'fullByDegree'>
  const pick = (k: Numeric) => median(results.map((x) => x[k]))
  const summary = {
    nodes,
    dialsPerNode,
    rounds,
    medianWallMs: Math.round(pick('ms') * 100) / 100,
    medianVirtualMs: pick('virtualMs'),
    allReached: results.every((x) => x.reached === nodes),
    meanDegree: pick('meanDegree'),
    medianMaxFullDeliveriesPerNode: pick('maxFullPerNode'),
    medianMaxDuplicateFullDeliveriesPerNode: pick('maxDuplicatesPerNode'),
    medianMeanFullDeliveriesPerNode: Math.round(pick('meanFullPerNode') * 100) / 100,
    medianMeanDuplicateFullDeliveriesPerNode: Math.round(pick('meanDuplicatesPerNode') * 100) / 100,
    worstMaxDuplicateFullDeliveriesPerNode: Math.max(...results.map((x) => x.maxDuplicatesPerNode)),
    roundsWithMaxDuplicatesAtMost2: results.filter((x) => x.maxDuplicatesPerNode <= 2).length,
    medianTotalFullDeliveries: pick('totalFullDeliveries'),
    /** Over all rounds, by node degree: nodes, mean full deliveries, share with > 3 (dups > 2). */
    fullDeliveriesByDegree: byDegree(results.flatMap((x) => x.fullByDegree)),
    medianMeanAnnouncementsPerNode: Math.round(pick('meanAnnouncedPerNode') * 100) / 100,
    medianMeanEthMessagesPerNode: Math.round(pick('meanEthMessagesPerNode') * 100) / 100,
  }
  const rounded = results.map(({ fullByDegree: _, ...rest }) => rest)
  const file = recordResult('propagation', 'noble keccak (default backend)', {
    description:
      'one transaction injected at one node of a 50-node in-process network; time until all pools have it (wall time, and virtual time of the injected clock: announced transactions are requested after the 500 ms arrival wait); per node: full deliveries (Transactions/PooledTransactions received; duplicates = full - 1), announcements, eth messages received. Full copies go to a random √ of the peers lacking the tx, announcements to the rest',
    summary,
    rounds: rounded,
  })
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\nwrote ${file}\n`)
}
