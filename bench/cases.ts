/** A benchmark case: a module whose `run` takes the numeric command-line arguments (sizes). */
export type BenchCase = () => Promise<{ run(args?: number[]): Promise<void> }>

/**
 * A package's `bench/run.ts`: runs the cases named on the command line (default: all), one at
 * a time; numbers on the command line are handed to each case (`pnpm bench sim 1000 5000`).
 * Flags, passed on to the cases and their worker processes through the environment:
 * `--quick` (BENCH_QUICK=1: tiny sizes, one repetition — proves the harness, measures nothing),
 * `--reps=N` (BENCH_REPS), `--out=DIR` (BENCH_RESULTS_DIR: where results are written).
 */
export async function runCases(
  cases: Record<string, BenchCase>,
  argv: string[] = process.argv.slice(2),
): Promise<void> {
  const flags = argv.filter((a) => a.startsWith('--'))
  for (const flag of flags) {
    const [key, value] = flag.split('=', 2) as [string, string | undefined]
    if (key === '--quick') process.env.BENCH_QUICK = '1'
    else if (key === '--reps' && value) process.env.BENCH_REPS = value
    else if (key === '--out' && value) process.env.BENCH_RESULTS_DIR = value
    else {
      process.stderr.write(`unknown bench flag ${flag}; known: --quick, --reps=N, --out=DIR\n`)
      process.exit(1)
    }
  }
  const rest = argv.filter((a) => !a.startsWith('--'))
  const wanted = rest.filter((a) => !/^\d+$/.test(a))
  const sizes = rest.filter((a) => /^\d+$/.test(a)).map(Number)
  for (const name of wanted.length > 0 ? wanted : Object.keys(cases)) {
    const load = cases[name]
    if (!load) {
      process.stderr.write(`unknown bench case ${name}; known: ${Object.keys(cases).join(', ')}\n`)
      process.exit(1)
    }
    await (await load()).run(sizes.length > 0 ? sizes : undefined)
  }
}
