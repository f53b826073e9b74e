// `pnpm bench sim [N…]`: the deterministic simulator at scale. N nodes (default 1000) join a
// network of 3 bootnodes over the in-memory transport, in virtual time, with 10–100 ms one-way
// latency; we record the table fill over time, then trace lookups from random nodes to random
// targets: rounds, FindNode queries, and how many of the true 16 closest each one finds.
// Writes bench/results/sim.json (runs of other sizes already there are kept) and
// bench/results/sim-<N>.svg. Run through the package script: it gives V8 a 128 MiB young
// generation (the simulator's request state then dies young); N = 5000 also needs a larger
// old space (NODE_OPTIONS=--max-old-space-size=16384).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { getCrypto, useFastCrypto } from '@x/core'
import { median, recordResult, resultsDir } from '../../../bench/record.ts'
import type { Discovery } from '../src/index.ts'
import {
  overlap,
  randomTarget,
  Simulation,
  tracedLookup,
  trueClosest,
} from '../src/testing/index.ts'
import { simSvg } from './sim-svg.ts'

const SEED = 1
const LATENCY = { min: 10, max: 100 }
/** New nodes per virtual second while the network grows. */
const JOIN_PER_SEC = 20
/**
 * Virtual time after the last join before measuring: every node's first refresh (4 lookups,
 * a few virtual seconds) is long done, and revalidation has run a few rounds.
 */
const SETTLE_MS = 60_000
const SAMPLE_MS = 2_000
const LOOKUPS = 200
const CONCURRENT_LOOKUPS = 10

export interface FillSample {
  t: number
  nodes: number
  mean: number
  min: number
  p10: number
  median: number
}

function fillSample(t: number, nodes: Discovery[]): FillSample {
  const sizes = nodes.map((d) => d.table.size).sort((a, b) => a - b)
  const at = (q: number) => sizes[Math.min(sizes.length - 1, Math.floor(q * sizes.length))] ?? 0
  const mean = sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length)
  return {
    t,
    nodes: sizes.length,
    mean: round(mean),
    min: sizes[0] ?? 0,
    p10: at(0.1),
    median: at(0.5),
  }
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d

async function simulate(n: number) {
  const loadAtStart = loadavg()[0]!
  const cpuStart = process.cpuUsage()
  const wallStart = performance.now()
  const progress = (what: string) =>
    process.stderr.write(
      `sim ${n}: ${what} at ${round((performance.now() - wallStart) / 1000, 1)} s wall, ${s.stats.sent} datagrams\n`,
    )
  const s = new Simulation({ seed: SEED, latencyMs: LATENCY })
  const t0 = s.clock.now()
  const fill: FillSample[] = []
  const live: Discovery[] = []
  const sample = () => fill.push(fillSample((s.clock.now() - t0) / 1000, live))

  const b0 = await s.runUntil(s.startNode())
  live.push(b0)
  const more = await s.runUntil(
    Promise.all([1, 2].map(() => s.startNode({ bootnodes: [b0.self] }))),
  )
  live.push(...more)
  const bootnodes = live.map((d) => d.self)

  // Growth: JOIN_PER_SEC nodes per virtual second, each bootstrapping from the 3 bootnodes.
  const joining: Promise<Discovery>[] = []
  let nextSample = s.clock.now() + SAMPLE_MS
  const tick = 1000 / JOIN_PER_SEC
  for (let i = 3; i < n; i++) {
    joining.push(
      s.startNode({ bootnodes }).then((d) => {
        live.push(d)
        return d
      }),
    )
    await s.run(tick)
    if (s.clock.now() >= nextSample) {
      sample()
      nextSample += SAMPLE_MS
    }
  }
  const nodes = [b0, ...more, ...(await s.runUntil(Promise.all(joining)))]
  progress('all joined')
  const grownAt = s.clock.now()
  while (s.clock.now() < grownAt + SETTLE_MS) {
    await s.run(SAMPLE_MS)
    sample()
  }
  progress('settled')
  const buildWallMs = performance.now() - wallStart
  const buildStats = s.stats

  // Lookups from random nodes to random targets, CONCURRENT_LOOKUPS at a time.
  const lookupStart = performance.now()
  const all = nodes.map((d) => d.self)
  const traces: { rounds: number; queries: number; failed: number; found: number; ms: number }[] =
    []
  for (let i = 0; i < LOOKUPS; i += CONCURRENT_LOOKUPS) {
    const batch = Array.from({ length: CONCURRENT_LOOKUPS }, () => {
      const from = nodes[Math.floor(s.random() * nodes.length)]!
      const target = randomTarget(s.random)
      const truth = trueClosest(
        all.filter((x) => x.idHex !== from.self.idHex),
        target,
      )
      return tracedLookup(from, target, s.clock).then((t) => ({
        rounds: t.rounds,
        queries: t.queries,
        failed: t.failed,
        found: overlap(t.result, truth),
        ms: t.durationMs,
      }))
    })
    traces.push(...(await s.runUntil(Promise.all(batch))))
  }
  const lookupWallMs = performance.now() - lookupStart
  progress('lookups done')
  const final = fillSample((s.clock.now() - t0) / 1000, nodes)
  const heapMiB = process.memoryUsage().heapUsed / 2 ** 20
  const rssMiB = process.memoryUsage().rss / 2 ** 20
  const cpu = process.cpuUsage(cpuStart)
  await s.stop()

  const hist = (xs: number[]) => {
    const h: Record<string, number> = {}
    for (const x of xs) h[x] = (h[x] ?? 0) + 1
    return h
  }
  const rounds = traces.map((t) => t.rounds)
  const queries = traces.map((t) => t.queries)
  const found = traces.map((t) => t.found)
  const pct = (xs: number[], q: number) =>
    [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!
  return {
    nodes: n,
    seed: SEED,
    latencyMs: LATENCY,
    joinPerSecond: JOIN_PER_SEC,
    settleMs: SETTLE_MS,
    virtualSeconds: round((s.clock.now() - t0) / 1000, 1),
    date: new Date().toISOString(),
    wallSeconds: round((performance.now() - wallStart) / 1000, 1),
    buildWallSeconds: round(buildWallMs / 1000, 1),
    lookupWallSeconds: round(lookupWallMs / 1000, 1),
    /** Process CPU (all threads: V8's GC helpers included) and the 1-min load when it started. */
    cpuSeconds: { user: round(cpu.user / 1e6, 1), system: round(cpu.system / 1e6, 1) },
    loadAverageAtStart: round(loadAtStart, 2),
    heapUsedMiB: round(heapMiB, 0),
    rssMiB: round(rssMiB, 0),
    datagrams: buildStats.sent,
    datagramsByType: buildStats.byType,
    table: { final, fill },
    lookups: {
      count: traces.length,
      rounds: {
        mean: round(avg(rounds)),
        median: median(rounds),
        p95: pct(rounds, 0.95),
        max: Math.max(...rounds),
        histogram: hist(rounds),
      },
      queries: {
        mean: round(avg(queries)),
        median: median(queries),
        p95: pct(queries, 0.95),
        max: Math.max(...queries),
      },
      failedQueriesMean: round(avg(traces.map((t) => t.failed))),
      virtualMsMedian: median(traces.map((t) => t.ms)),
      true16: {
        meanFound: round(avg(found)),
        meanShare: round(avg(found) / 16, 4),
        allSixteen: round(found.filter((f) => f === 16).length / found.length, 4),
        histogram: hist(found),
      },
    },
  }
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)

export async function run(sizes: number[] = [1000]): Promise<void> {
  const base = await useFastCrypto()
  // Runs of other sizes recorded earlier stay (each run has its own date).
  const file0 = join(resultsDir, 'sim.json')
  const previous: { nodes: number }[] = existsSync(file0)
    ? ((JSON.parse(readFileSync(file0, 'utf8')) as { runs?: { nodes: number }[] }).runs ?? [])
    : []
  const runs: { nodes: number }[] = previous.filter((r) => !sizes.includes(r.nodes))
  // SIM_REPEAT=k runs each size k times (the box is shared): the run of median wall time is
  // recorded, with every wall time. Same seed, same run: the numbers other than times agree.
  const repeat = Math.max(1, Number(process.env.SIM_REPEAT ?? 1))
  for (const n of sizes) {
    const reps: Awaited<ReturnType<typeof simulate>>[] = []
    for (let i = 0; i < repeat; i++) {
      const r = await simulate(n)
      process.stdout.write(`${JSON.stringify({ ...r, table: { final: r.table.final } })}\n`)
      if (reps[0] && r.datagrams !== reps[0].datagrams)
        throw new Error('simulation not deterministic')
      reps.push(r)
    }
    reps.sort((a, b) => a.wallSeconds - b.wallSeconds)
    const r = { ...reps[reps.length >> 1]!, wallSecondsOfRepeats: reps.map((x) => x.wallSeconds) }
    writeFileSync(join(resultsDir, `sim-${n}.svg`), simSvg(r))
    runs.push(r)
  }
  runs.sort((a, b) => a.nodes - b.nodes)
  const file = recordResult('sim', `simulated signatures over ${base.name} (keccak real)`, {
    note: 'packets are fully encoded, hashed and decoded; secp256k1 signing/recovery is replaced by the simulator backend (sign = public key). Node records are really signed.',
    crypto: getCrypto().name,
    runs,
  })
  process.stdout.write(`wrote ${file}\n`)
}
