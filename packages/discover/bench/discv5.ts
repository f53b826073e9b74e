// discv5 side by side with @chainsafe/discv5 11.0.0, in the same run: handshakes/s (50 clients
// handshake with one server at once), PING→PONG/s on an established session (one in flight),
// and ms per lookup in a 200-node network on loopback UDP. Every measurement runs in a fresh
// process (bench/discv5-worker.ts), three times per implementation: min, median, max.
// `pnpm bench discv5 [clients] [pingMs] [nodes]`. The result file is written only on an idle
// machine (1-minute load below the core count) or with X_BENCH_RECORD=1; otherwise the figures
// are printed with the load they were taken under.

import { execFileSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { median, recordResult } from '../../../bench/record.ts'

const worker = fileURLToPath(new URL('./discv5-worker.ts', import.meta.url))
const REPS = 3
const impls = ['ours', 'chainsafe'] as const

function once(impl: string, measure: string, n: number): number {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', worker, impl, measure, String(n)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    },
  )
  const line = out.trim().split('\n').at(-1) ?? '{}'
  return (JSON.parse(line) as { value: number }).value
}

interface Stat {
  min: number
  median: number
  max: number
  runs: number[]
}

function stat(runs: number[]): Stat {
  return { min: Math.min(...runs), median: median(runs), max: Math.max(...runs), runs }
}

export async function run(args: number[] = []): Promise<void> {
  const [clients = 50, pingMs = 2000, nodes = 200] = args
  const measures = [
    { name: 'handshakesPerSec', measure: 'handshakes', n: clients, better: 'higher' },
    { name: 'pingsPerSec', measure: 'pings', n: pingMs, better: 'higher' },
    { name: 'lookupMs', measure: 'lookup', n: nodes, better: 'lower' },
  ] as const
  const loadBefore = loadavg()
  const results: Record<string, Record<string, Stat>> = {}
  for (const m of measures) {
    results[m.name] = {}
    for (const impl of impls) {
      const runs: number[] = []
      for (let i = 0; i < REPS; i++) runs.push(once(impl, m.measure, m.n))
      const s = stat(runs)
      results[m.name]![impl] = s
      process.stdout.write(
        `discv5 ${m.name} (${m.measure} ${m.n}) ${impl}: min ${s.min.toFixed(1)} median ${s.median.toFixed(1)} max ${s.max.toFixed(1)} (${m.better} is better)\n`,
      )
    }
  }
  const load = { before: loadBefore, after: loadavg(), cores: cpus().length }
  process.stdout.write(
    `load average before ${load.before.map((x) => x.toFixed(1)).join(' ')}, after ${load.after.map((x) => x.toFixed(1)).join(' ')} on ${load.cores} cores\n`,
  )
  const idle = load.before[0]! < load.cores && load.after[0]! < load.cores
  if (idle || process.env.X_BENCH_RECORD === '1') {
    const file = recordResult(
      'discv5',
      { ours: 'wasm-keccak+libsecp256k1', chainsafe: '@noble/secp256k1' },
      {
        params: { clients, pingMs, nodes, repetitions: REPS },
        load,
        results,
      },
    )
    process.stdout.write(`wrote ${file}\n`)
  } else {
    process.stdout.write('machine loaded: no result file written (X_BENCH_RECORD=1 forces it)\n')
  }
}
