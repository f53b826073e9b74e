// The README's performance table is generated from bench/results/ (scripts/bench-table.mjs):
// it matches the results as committed, renders a current result's median and range, and
// ignores results of the old harness and of `--quick` runs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { endMarker, readResults, renderTable, startMarker, withTable } from './bench-table.mjs'

const root = new URL('..', import.meta.url).pathname

test('README.md performance table matches bench/results (regenerate: node scripts/bench-table.mjs)', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  expect(readme).toContain(startMarker)
  expect(readme).toContain(endMarker)
  expect(withTable(readme, renderTable(readResults()))).toBe(readme)
})

const meta = { date: '2026-12-01T00:00:00Z', node: 'v20.20.2', cpuModel: 'CPU', cores: 2 }
const s = (median) => ({ min: median - 1, median, max: median + 1, runs: [median] })

test('a current result renders as median (min–max); old-harness and quick results do not count', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-table-'))
  try {
    const discv4 = {
      case: 'discv4',
      schema: 2,
      meta,
      load: [{ loadavg: [0.1, 0.2, 0.3] }],
      results: {
        bonded: { 'ours-fast': s(6000), 'ours-noble': s(450), ethereumjs: s(400) },
        unbonded: { 'ours-fast': s(4000), 'ours-noble': s(300), ethereumjs: s(400) },
      },
    }
    writeFileSync(join(dir, 'discv4.json'), JSON.stringify(discv4))
    writeFileSync(join(dir, 'rlpx.json'), JSON.stringify({ case: 'rlpx', meta, ratios: {} }))
    writeFileSync(join(dir, 'memory.json'), JSON.stringify({ schema: 2, quick: true, meta }))
    const r = readResults(dir)
    expect(r.rlpx).toBeNull() // no schema: the old harness
    expect(r.memory).toBeNull() // a --quick run
    const table = renderTable(r)
    expect(table).toMatch(
      /bonded +\| 6000 \(5999–6001\) +\| 450 \(449–451\) +\| 400 \(399–401\) +\| 15\.0× /,
    )
    expect(table).toMatch(/unbonded.*\| 10\.0× /)
    expect(table).toMatch(/RLPx handshakes.*not measured/)
    expect(table).toContain('loadavg at start 0.1 0.2 0.3')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
