// `pnpm release` without `--publish` is a dry run: in a temporary clone of this tree (its
// tracked files as they are now, committed or not), it must succeed and leave `git status`
// clean, every changeset in place and every version unchanged. `--publish` is never run here.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { pnpmCommand } from './pnpm.mjs'

const root = new URL('..', import.meta.url).pathname
const tmp = mkdtempSync(join(tmpdir(), 'x-release-test-'))
const clone = join(tmp, 'repo')
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const git = (args, cwd = clone) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim()
const changesets = (dir) =>
  readdirSync(join(dir, '.changeset'))
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort()
const versions = (dir) =>
  readdirSync(join(dir, 'packages'))
    .sort()
    .map((p) => JSON.parse(readFileSync(join(dir, 'packages', p, 'package.json'), 'utf8')).version)

test('pnpm release (no --publish) changes nothing in the tree', { timeout: 240_000 }, () => {
  // `git stash create` makes a commit of the working tree without touching it (empty when clean).
  const commit = git(['stash', 'create'], root) || git(['rev-parse', 'HEAD'], root)
  git(['clone', '--quiet', '--shared', '--no-checkout', root, clone], tmp)
  git(['checkout', '--quiet', '--detach', commit])
  // changesets compares against its base branch (`main`); a clone has it as origin/main only.
  if (git(['branch', '--list', 'main']) === '') git(['branch', 'main', 'origin/main'])
  const before = { changesets: changesets(clone), versions: versions(clone) }
  expect(before.changesets.length).toBeGreaterThan(0)

  const [cmd, ...pre] = pnpmCommand()
  const run = (args) =>
    execFileSync(cmd, [...pre, ...args], { cwd: clone, encoding: 'utf8', stdio: 'pipe' })
  run(['install', '--frozen-lockfile', '--offline'])
  const out = run(['release'])
  expect(out).toContain('release: dry run done')
  for (const name of readdirSync(join(clone, 'packages'))) expect(out).toContain(`x-${name}-`)

  expect(git(['status', '--porcelain', '--untracked-files=all'])).toBe('')
  expect(changesets(clone)).toEqual(before.changesets)
  expect(versions(clone)).toEqual(before.versions)
})
