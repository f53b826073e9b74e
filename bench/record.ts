// Shared by every package's benchmarks: writes one JSON file per case under bench/results/,
// recording the machine, Node version, date, load and crypto backend, so results can be compared.
// `--out=DIR` (BENCH_RESULTS_DIR) writes them elsewhere: figures from a loaded machine go to a
// scratch directory, never over the official ones.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const officialResultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results')
export const resultsDir = process.env.BENCH_RESULTS_DIR || officialResultsDir

export interface BenchMeta {
  date: string
  node: string
  platform: string
  cpuModel: string
  cores: number
  memoryGiB: number
  /** os.loadavg() when the result was written (1, 5, 15 min). */
  loadavg: number[]
}

export function benchMeta(): BenchMeta {
  const cpu = cpus()
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  }
}

/**
 * Writes bench/results/<name>.json: `{ case, meta, backend, ...data }`. `backend` names the
 * crypto backend(s) that ran (each result must say which).
 */
export function recordResult(
  name: string,
  backend: string | Record<string, string>,
  data: object,
): string {
  mkdirSync(resultsDir, { recursive: true })
  const file = join(resultsDir, `${name}.json`)
  writeFileSync(
    file,
    `${JSON.stringify({ case: name, meta: benchMeta(), backend, ...data }, null, 2)}\n`,
  )
  return file
}

/** Median of a list of numbers (benchmarks report medians of repeated runs: the machine is shared). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
