/** A benchmark case: a module whose `run` takes the numeric command-line arguments (sizes). */
export type BenchCase = () => Promise<{ run(args?: number[]): Promise<void> }>

/**
 * A package's `bench/run.ts`: runs the cases named on the command line (default: all), one at
 * a time; numbers on the command line are handed to each case (`pnpm bench sim 1000 5000`).
 */
export async function runCases(
  cases: Record<string, BenchCase>,
  argv: string[] = process.argv.slice(2),
): Promise<void> {
  const wanted = argv.filter((a) => !/^\d+$/.test(a))
  const sizes = argv.filter((a) => /^\d+$/.test(a)).map(Number)
  for (const name of wanted.length > 0 ? wanted : Object.keys(cases)) {
    const load = cases[name]
    if (!load) {
      process.stderr.write(`unknown bench case ${name}; known: ${Object.keys(cases).join(', ')}\n`)
      process.exit(1)
    }
    await (await load()).run(sizes.length > 0 ? sizes : undefined)
  }
}
