// The benchmark harness in its quick mode (`--quick`: tiny sizes, one repetition), into a
// temporary directory: every worker process starts, every implementation completes, every
// payload verifies (a case throws, and exits non-zero, on one lost or corrupted message or
// pong), and the results have the shape scripts/bench-table.mjs reads. No timing is asserted:
// the figures of a quick run on a shared machine mean nothing and are marked `quick`.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { readResults } from './bench-table.mjs'

const root = new URL('..', import.meta.url).pathname
const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

function bench(pkg, ...cases) {
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'bench/run.ts', ...cases, '--quick', `--out=${out}`],
    { cwd: join(root, 'packages', pkg), encoding: 'utf8', timeout: 170_000 },
  )
  process.stdout.write(res.stdout ?? '')
  expect(res.status, `${pkg} ${cases.join(' ')}\n${res.stderr}`).toBe(0)
}

const impls = ['ours-fast', 'ours-noble', 'ethereumjs']
const isStats = (s) =>
  expect(s).toEqual(
    expect.objectContaining({ min: expect.any(Number), median: expect.any(Number) }),
  )

test('rlpx and memory: separate processes, payloads verified, one result per implementation', {
  timeout: 180_000,
}, () => {
  bench('p2p', 'rlpx', 'memory')
  const rlpx = JSON.parse(readFileSync(join(out, 'rlpx.json'), 'utf8'))
  expect(rlpx.schema).toBe(2)
  expect(rlpx.quick).toBe(true)
  expect(rlpx.meta.loadavg).toHaveLength(3)
  for (const impl of impls) {
    for (const size of ['1024B', '65536B']) isStats(rlpx.bulk[size][impl].mb_per_s)
    isStats(rlpx.handshakes_per_s[impl])
    isStats(rlpx.latency_ms[impl].p99)
  }
  const memory = JSON.parse(readFileSync(join(out, 'memory.json'), 'utf8'))
  for (const impl of impls) isStats(memory.sessions['5'][impl].rss_bytes)
  // A quick run is never taken for the README's figures.
  expect(readResults(out).rlpx).toBeNull()
})

test('discv4: bonded and unbonded, server and client in separate processes, pongs checked', {
  timeout: 180_000,
}, () => {
  bench('discover', 'discv4')
  const d = JSON.parse(readFileSync(join(out, 'discv4.json'), 'utf8'))
  for (const mode of ['bonded', 'unbonded'])
    for (const impl of impls) isStats(d.results[mode][impl])
  expect(d.load.length).toBeGreaterThanOrEqual(2)
})
