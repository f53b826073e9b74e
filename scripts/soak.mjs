// `pnpm soak [--duration=1h] [--out=DIR]` (never in CI): builds @x/p2p and what it needs, then runs
// packages/p2p/bench/soak.ts — a listening node under a mixed load for the duration (default one
// hour), sampling RSS, heap, open FDs and event-loop delay — and writes soak.json and soak.svg to
// bench/results/ (or DIR). `--duration=2m` validates the harness in two minutes; results from a
// loaded machine belong in `--out`, not in bench/results/. Past `--max-rss-mib` (default 4096)
// the load stops early, the result records why, and the exit status is non-zero.
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { pnpmCommand } from './pnpm.mjs'

const root = new URL('..', import.meta.url).pathname
const args = process.argv.slice(2).filter((a) => a !== '--')
const env = { ...process.env }
const pass = []
for (const a of args) {
  const [key, value] = a.split('=', 2)
  if (key === '--duration' && /^\d+(\.\d+)?[hms]?$/.test(value ?? '')) pass.push(a)
  else if (key === '--max-rss-mib' && /^\d+$/.test(value ?? '')) pass.push(a)
  else if (key === '--out' && value) env.BENCH_RESULTS_DIR = resolve(value)
  else {
    console.error(
      `unknown argument ${a}; usage: pnpm soak [--duration=1h|2m|90s] [--max-rss-mib=4096] [--out=DIR]`,
    )
    process.exit(1)
  }
}
const [cmd, ...pre] = pnpmCommand()
const build = spawnSync(cmd, [...pre, 'exec', 'turbo', 'run', 'build', '--filter=@x/p2p...'], {
  cwd: root,
  stdio: 'inherit',
})
if (build.status !== 0) process.exit(build.status ?? 1)
const p2p = join(root, 'packages', 'p2p')
const res = spawnSync(process.execPath, ['--import', 'tsx', 'bench/soak.ts', ...pass], {
  cwd: p2p,
  stdio: 'inherit',
  env,
})
process.exit(res.status ?? 1)
