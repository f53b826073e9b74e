// discv4 Ping→Pong exchanges per second served on loopback: our UDPv4 (fast and noble crypto
// backends) against @ethereumjs/devp2p's DPT, each server in its own process, the load from a
// client in another (discv4-worker.ts). Two paths: bonded (one key, bonded first, as a peer
// re-pinging) and unbonded (a fresh key per ping: the server answers and pings back, as for a
// stranger — one recover, two signs). Each path has a warm-up before its timed round; every
// figure is min/median/max over `--reps` repetitions (default 3) with the servers alternated.
import { fileURLToPath } from 'node:url'
import { pick, ratio, repeat, repetitions, type Stats, stats } from '../../../bench/harness.ts'
import { recordResult } from '../../../bench/record.ts'
import { spawnWorker } from '../../../bench/worker.ts'

type Impl = 'ours-fast' | 'ours-noble' | 'ethereumjs'
const impls: readonly Impl[] = ['ours-fast', 'ours-noble', 'ethereumjs']
const modes = ['bonded', 'unbonded'] as const
type Mode = (typeof modes)[number]
const worker = fileURLToPath(new URL('./discv4-worker.ts', import.meta.url))
const WINDOW = 32
const out = (s: string) => process.stdout.write(`${s}\n`)

interface Blast {
  rate: number
  bad: number
  wrapped: boolean
}

async function measure(impl: Impl): Promise<Record<Mode, number>> {
  const server = await spawnWorker(worker, ['server', impl])
  const client = await spawnWorker(worker, ['client'])
  try {
    const port = await server.call<number>('start')
    const result = {} as Record<Mode, number>
    for (const mode of modes) {
      await client.call('prepare', { port, mode, count: pick(40_000, 2_000) })
      const warm = await client.call<Blast>('blast', { ms: pick(500, 50), window: WINDOW })
      const r = await client.call<Blast>('blast', { ms: pick(2000, 100), window: WINDOW })
      if (warm.bad + r.bad > 0) throw new Error(`${impl} ${mode}: ${warm.bad + r.bad} bad pongs`)
      if (r.wrapped) throw new Error(`${impl} ${mode}: ran out of fresh keys; raise the count`)
      result[mode] = r.rate
      out(`  ${impl} ${mode}: ${Math.round(r.rate)} exchanges/s`)
    }
    return result
  } finally {
    await client.stop()
    await server.stop()
  }
}

export async function run(): Promise<void> {
  const { values, load } = await repeat(impls, (impl) => measure(impl))
  const results = Object.fromEntries(
    modes.map((m) => [
      m,
      Object.fromEntries(impls.map((i) => [i, stats(values[i].map((v) => Math.round(v[m])))])),
    ]),
  ) as Record<Mode, Record<Impl, Stats>>
  const ratios: Record<string, number> = {}
  for (const m of modes) {
    ratios[`${m}_fast_vs_ejs`] = ratio(results[m]['ours-fast'], results[m].ethereumjs)
    ratios[`${m}_noble_vs_ejs`] = ratio(results[m]['ours-noble'], results[m].ethereumjs)
  }
  const file = recordResult(
    'discv4',
    {
      ethereumjs: '@ethereumjs/devp2p 10.0.0 DPT (ethereum-cryptography, noble)',
      'ours-fast': 'wasm-keccak+libsecp256k1 (useFastCrypto)',
      'ours-noble': 'noble (the default)',
    },
    {
      schema: 2,
      quick: pick(false, true),
      unit: 'ping→pong exchanges/s',
      method: `server and client in separate processes; the client keeps ${WINDOW} pre-signed pings in flight and counts pongs whose hash is intact and whose ping hash it sent; bonded: one key bonded first; unbonded: a fresh key per ping (the server pings back, unanswered); our server's per-node-ID request budget (20/s by default) raised so that the one client is not throttled; a warm-up round before each timed round; min/median/max over the repetitions, servers alternated`,
      roundMs: pick(2000, 100),
      repetitions: repetitions(),
      load,
      results,
      ratios,
    },
  )
  out(`ratios (of medians): ${JSON.stringify(ratios)}\nwrote ${file}`)
}
