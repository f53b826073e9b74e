// `pnpm release`: a dry run that changes nothing in the tree. It prints what the pending
// changesets would release (`changeset status --verbose`), builds the public packages, and packs
// each one into a temporary directory (listing what the tarball holds), then deletes the tarballs.
// `pnpm release --publish` does the real thing: `changeset version` (consumes the changesets:
// new versions and CHANGELOGs), refreshes the lockfile, builds, and `changeset publish`.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const publish = process.argv.includes('--publish')
const sh = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts })
// The pnpm running this script (npx, corepack or global), not whatever `pnpm` is on PATH.
const execpath = process.env.npm_execpath
const pnpm = (args, opts) =>
  execpath?.includes('pnpm')
    ? sh(process.execPath, [execpath, ...args], opts)
    : sh('pnpm', args, opts)
const bin = (name) => join(root, 'node_modules', '.bin', name)

if (publish) {
  sh(bin('changeset'), ['version'])
  pnpm(['install', '--lockfile-only'])
  sh(bin('turbo'), ['run', 'build', '--filter=./packages/*'])
  sh(bin('changeset'), ['publish'])
} else {
  console.log('release (dry run; `pnpm release --publish` publishes): pending changesets')
  sh(bin('changeset'), ['status', '--verbose'])
  sh(bin('turbo'), ['run', 'build', '--filter=./packages/*'])
  const out = mkdtempSync(join(tmpdir(), 'x-release-'))
  try {
    for (const name of readdirSync(join(root, 'packages')).sort()) {
      const dir = join(root, 'packages', name)
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      if (manifest.private) continue
      pnpm(['pack', '--pack-destination', out], { cwd: dir })
    }
    console.log('release: dry run done; packed (then deleted):', readdirSync(out).sort().join(', '))
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}
