// `pnpm bench [case…]`: runs the named benchmark cases of @x/discover (default: all), one at a time.
// Each case is a file in this folder exporting `run(): Promise<void>`; add yours to `cases`.
const cases: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  discv4: () => import('./discv4.ts'),
  closest: () => import('./closest.ts'),
  sim: () => import('./sim.ts'),
}

// Numbers after a case name are its arguments (`pnpm bench sim 1000 5000`: network sizes).
const wanted = process.argv.slice(2).filter((a) => !/^\d+$/.test(a))
const sizes = process.argv
  .slice(2)
  .filter((a) => /^\d+$/.test(a))
  .map(Number)
for (const name of wanted.length > 0 ? wanted : Object.keys(cases)) {
  const load = cases[name]
  if (!load) {
    process.stderr.write(`unknown bench case ${name}; known: ${Object.keys(cases).join(', ')}\n`)
    process.exit(1)
  }
  const c = (await load()) as { run(args?: number[]): Promise<void> }
  await c.run(sizes.length > 0 ? sizes : undefined)
}

export {}
