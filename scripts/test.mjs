// Runs every package's tests through turbo (bounded to 2 packages at a time for 2-core machines),
// then the repository's own tests (scripts/*.test.mjs, root vitest.config.ts; skipped when turbo
// arguments such as --filter are given), then sums the vitest JSON reports into one line:
// `tests: N passed, M failed`. Exits non-zero if turbo failed, any test failed, or a package
// that ran left no report.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const workspaces = ['packages', 'apps'].flatMap((d) =>
  readdirSync(join(root, d), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, d, e.name, 'package.json')))
    .map((e) => join(root, d, e.name)),
)
const args = process.argv.slice(2)
for (const ws of [root, ...workspaces]) rmSync(join(ws, '.test-report.json'), { force: true })

const run = spawnSync('turbo', ['run', 'test', '--concurrency=2', '--continue', ...args], {
  cwd: root,
  stdio: 'inherit',
})
// The root tests need every package built, which the full turbo run above guarantees.
const rootRun =
  args.length === 0
    ? spawnSync(join(root, 'node_modules', '.bin', 'vitest'), ['run'], {
        cwd: root,
        stdio: 'inherit',
      })
    : undefined
if (rootRun?.error) console.error(rootRun.error)

const hasTests = (dir) =>
  existsSync(dir) &&
  readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.test.ts'))

let passed = 0
let failed = 0
let skipped = 0
const missing = []
for (const ws of [...workspaces, ...(rootRun ? [root] : [])]) {
  const file = join(ws, '.test-report.json')
  if (!existsSync(file)) {
    if (ws === root) {
      missing.push('scripts/*.test.mjs')
      continue
    }
    // vitest writes no report when a package has no test files yet; that is not a failure.
    const pkg = JSON.parse(readFileSync(join(ws, 'package.json'), 'utf8'))
    if (pkg.scripts?.test && hasTests(join(ws, 'test'))) missing.push(pkg.name)
    continue
  }
  const report = JSON.parse(readFileSync(file, 'utf8'))
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + report.numTodoTests
  // A suite that failed to load, or whose beforeAll failed (its tests then read as skipped), has
  // no failed tests but is a failure all the same.
  failed += report.testResults.filter(
    (r) => r.status === 'failed' && !r.assertionResults.some((a) => a.status === 'failed'),
  ).length
}
if (missing.length > 0) console.log(`no test report from: ${missing.join(', ')}`)
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
const status = run.status !== 0 ? (run.status ?? 1) : rootRun ? (rootRun.status ?? 1) : 0
process.exit(status !== 0 ? status : failed > 0 || missing.length > 0 ? 1 : 0)
