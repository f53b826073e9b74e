// `pnpm bench [case…]`: runs the named benchmark cases of @x/eth (default: all), one at a time.
// Each case is a file in this folder exporting `run(): Promise<void>`; add yours to `cases`.
const cases: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  eth: () => import('./codec.ts'),
  propagation: () => import('./propagation.ts'),
}

const wanted = process.argv.slice(2)
for (const name of wanted.length > 0 ? wanted : Object.keys(cases)) {
  const load = cases[name]
  if (!load) {
    process.stderr.write(`unknown bench case ${name}; known: ${Object.keys(cases).join(', ')}\n`)
    process.exit(1)
  }
  await (await load()).run()
}

export {}
