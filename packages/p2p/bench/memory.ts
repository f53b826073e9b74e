// Memory per established session, ours against @ethereumjs/devp2p, at 200 and 1,000 sessions
// (`pnpm bench memory [N…]`). A listener process (a Server / an RLPx with ETH) accepts N
// sessions dialed from a second process, each from its own node key, each ready for messages
// (ethereumjs: ETH Status exchanged); the listener's RSS and heap (heapUsed + external) are
// read after garbage collection before and after, and divided by N. Ten sessions opened and
// closed first warm the code paths, so the baseline is not the cost of first use.
import { fileURLToPath } from 'node:url'
import { pick, repeat, repetitions, type Stats, stats } from '../../../bench/harness.ts'
import { recordResult } from '../../../bench/record.ts'
import { spawnWorker } from '../../../bench/worker.ts'
import type { Impl } from './node.ts'

const endpoint = fileURLToPath(new URL('./endpoint.ts', import.meta.url))
const out = (s: string) => process.stdout.write(`${s}\n`)
const memoryImpls: readonly Impl[] = ['ours-fast', 'ours-noble', 'ethereumjs']

interface Mem {
  rss: number
  heapUsed: number
  external: number
  sessions: number
}

async function perSession(impl: Impl, n: number) {
  const listener = await spawnWorker(endpoint, [impl])
  const dialer = await spawnWorker(endpoint, [impl])
  try {
    const { id, port } = await listener.call<{ id: Uint8Array; port: number }>('listen', {
      maxPeers: 2 * n + 20,
    })
    const warm = pick(10, 2)
    await dialer.call('openSessions', { id, port, n: warm, concurrency: 4 })
    await listener.call('waitSessions', { count: warm })
    await dialer.call('stopSessions')
    await listener.call('waitRemoved', { count: warm })
    const before = await listener.call<Mem>('memory')
    const started = performance.now()
    // Four dials at a time: the listener admits at most 8 pending handshakes per address (all of
    // these come from 127.0.0.1), and a dial counts as pending there until its hello is done.
    await dialer.call('openSessions', { id, port, n, concurrency: 4 })
    await listener.call('waitSessions', { count: n })
    const after = await listener.call<Mem>('memory')
    if (after.sessions !== n) throw new Error(`${impl}: listener holds ${after.sessions}/${n}`)
    const r = {
      rss: (after.rss - before.rss) / n,
      heap: (after.heapUsed + after.external - before.heapUsed - before.external) / n,
      raw: { before, after },
    }
    const s = ((performance.now() - started) / 1000).toFixed(1)
    out(
      `  ${impl} ${n} sessions (${s} s): ${Math.round(r.rss)} B RSS, ${Math.round(r.heap)} B heap each`,
    )
    return r
  } finally {
    await dialer.stop()
    await listener.stop()
  }
}

export async function run(args?: number[]): Promise<void> {
  const counts = args ?? pick([200, 1000], [5])
  const results: Record<
    string,
    Record<string, { rss_bytes: Stats; heap_bytes: Stats; raw: { before: Mem; after: Mem }[] }>
  > = {}
  const loads = []
  for (const n of counts) {
    const { values, load } = await repeat(memoryImpls, (impl) => perSession(impl, n))
    loads.push(...load)
    results[`${n}`] = Object.fromEntries(
      memoryImpls.map((i) => [
        i,
        {
          rss_bytes: stats(values[i].map((v) => Math.round(v.rss))),
          heap_bytes: stats(values[i].map((v) => Math.round(v.heap))),
          // The listener's readings themselves: RSS deltas at 200 sessions are within the noise
          // of what V8 and malloc hand back to the system; the totals let a reader judge.
          raw: values[i].map((v) => v.raw),
        },
      ]),
    )
  }
  const file = recordResult(
    'memory',
    {
      'ours-fast': 'wasm-keccak+libsecp256k1 (useFastCrypto)',
      'ours-noble': 'noble (the default)',
      ethereumjs: '@ethereumjs/devp2p 10.0.0 RLPx + Peer + ETH',
    },
    {
      schema: 2,
      quick: pick(false, true),
      method:
        'bytes per established session in the listening process: (after − before) / N, after GC, sessions dialed from another process, each from its own key and ready for messages (ethereumjs: ETH Status exchanged); heap = heapUsed + external; warmed with 10 sessions opened and closed before the baseline; min/median/max over the repetitions, implementations alternated',
      repetitions: repetitions(),
      load: loads,
      sessions: results,
    },
  )
  out(`wrote ${file}`)
}
