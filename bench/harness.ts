// What every comparative benchmark needs to be believed: repetitions with min/median/max, the
// order of the implementations alternated between repetitions, the machine's load recorded
// around each measurement, and a quick mode (tiny sizes, one repetition) that only proves the
// harness runs and the payloads verify. Flags reach the cases (and their worker processes)
// through the environment, set once by `runCases` from `--quick`, `--reps=N`, `--out=DIR`.
import { freemem, loadavg } from 'node:os'

/** `--quick`: tiny sizes, one repetition; for the CI smoke test, never for figures. */
export const quick = (): boolean => process.env.BENCH_QUICK === '1'

/** Repetitions of each measurement: `--reps=N`, default 3 (1 in quick mode). */
export function repetitions(): number {
  const n = Number(process.env.BENCH_REPS)
  if (Number.isInteger(n) && n > 0) return n
  return quick() ? 1 : 3
}

/** The size to use: `full` normally, `small` in quick mode. */
export const pick = <T>(full: T, small: T): T => (quick() ? small : full)

export interface Stats {
  min: number
  median: number
  max: number
  /** Every repetition's value, in the order measured. */
  runs: number[]
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

export function stats(xs: number[]): Stats {
  if (xs.length === 0) throw new Error('no measurements')
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  const median = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
  return {
    min: round3(s[0]!),
    median: round3(median),
    max: round3(s.at(-1)!),
    runs: xs.map(round3),
  }
}

/** The `q` quantile (0..1) of `xs` by nearest rank. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!
}

export interface LoadSample {
  at: string
  /** os.loadavg(): 1, 5 and 15 minute load averages. */
  loadavg: number[]
  freeMemGiB: number
}

export function loadSample(): LoadSample {
  return {
    at: new Date().toISOString(),
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    freeMemGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
  }
}

/** `items` forward on even repetitions, reversed on odd ones (so no one always runs first). */
export const alternate = <T>(items: readonly T[], rep: number): T[] =>
  rep % 2 === 0 ? [...items] : [...items].reverse()

/**
 * Runs `measure(impl, rep)` for every implementation, `repetitions()` times, alternating the
 * order; returns each implementation's values and the load before each repetition.
 */
export async function repeat<I extends string, R>(
  impls: readonly I[],
  measure: (impl: I, rep: number) => Promise<R>,
  log: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
): Promise<{ values: Record<I, R[]>; load: LoadSample[] }> {
  const values = Object.fromEntries(impls.map((i) => [i, [] as R[]])) as Record<I, R[]>
  const load: LoadSample[] = []
  const reps = repetitions()
  for (let rep = 0; rep < reps; rep++) {
    const sample = loadSample()
    load.push(sample)
    const order = alternate(impls, rep)
    log(`repetition ${rep + 1}/${reps} (${order.join(' → ')}), loadavg ${sample.loadavg.join(' ')}`)
    for (const impl of order) values[impl].push(await measure(impl, rep))
  }
  load.push(loadSample())
  return { values, load }
}

/** Ratio of two medians, two decimals. */
export const ratio = (a: Stats, b: Stats): number => Math.round((a.median / b.median) * 100) / 100
