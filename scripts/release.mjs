// `pnpm release`: apply pending changesets (new versions and CHANGELOGs), build, then publish.
// A dry run unless `--publish` is given, so running it by accident publishes nothing.
import { execFileSync } from 'node:child_process'

const publish = process.argv.includes('--publish')
const sh = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' })
const execpath = process.env.npm_execpath
const pnpm = (args) =>
  execpath?.includes('pnpm') ? sh(process.execPath, [execpath, ...args]) : sh('pnpm', args)

sh('changeset', ['version'])
pnpm(['install', '--lockfile-only'])
sh('turbo', ['run', 'build'])
if (publish) sh('changeset', ['publish'])
else pnpm(['-r', '--filter', './packages/*', 'publish', '--dry-run', '--no-git-checks'])
