// Installs go-ethereum's `geth` and `devp2p` commands at one pinned version, from the Go module
// proxy by module path (`go install <pkg>@<version>`), into `.cache/geth-<version>/bin` (gitignored).
// Reused when both binaries of that version are there; `--force` rebuilds.
//
//   node scripts/geth.mjs            build if needed; print the bin directory on stdout
//   node scripts/geth.mjs --check    print the bin directory if installed, else exit 1 (no build)
//
// Progress goes to stderr, so `$(node scripts/geth.mjs)` is the bin directory.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The newest go-ethereum release that `go install` builds with Go 1.26. */
export const gethVersion = 'v1.17.10'
const module = 'github.com/ethereum/go-ethereum'
const commands = ['geth', 'devp2p']

const root = fileURLToPath(new URL('..', import.meta.url))
export const gethDir = join(root, '.cache', `geth-${gethVersion}`)
export const gethBinDir = join(gethDir, 'bin')
// Written last, after both binaries: a build killed half-way is not mistaken for an install.
const stamp = join(gethDir, 'installed')

const log = (msg) => process.stderr.write(`geth.mjs: ${msg}\n`)

/** The `go version` line, or undefined when Go is not on PATH. */
export function goVersion() {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : undefined
}

/** True when both binaries of the pinned version are installed. */
export function gethInstalled() {
  const done =
    (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === gethVersion) ||
    // Binaries copied in by hand (e.g. from another checkout's cache) count once they both run.
    commands.every((c) => runsAsVersion(join(gethBinDir, c)))
  return done && commands.every((c) => existsSync(join(gethBinDir, c)))
}

function runsAsVersion(bin) {
  if (!existsSync(bin)) return false
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' })
  return r.status === 0 && r.stdout.includes(gethVersion.slice(1))
}

/**
 * When the Go module cache already holds this go-ethereum release, build from it alone: its
 * `cache/download` tree is a GOPROXY in the file layout, so `go install` (which otherwise asks
 * the proxy for the module's deprecation notice even with everything cached) needs no network.
 * Its contents were checked against the checksum database when they were first downloaded.
 */
function offlineEnv() {
  const r = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' })
  const downloads = join(r.stdout.trim(), 'cache', 'download')
  if (r.status !== 0 || !existsSync(join(downloads, module, '@v', `${gethVersion}.zip`))) return {}
  log(`using the Go module cache only (${downloads})`)
  return { GOPROXY: `file://${downloads}`, GOSUMDB: 'off', GOTOOLCHAIN: 'local' }
}

/** Builds both commands into the cache unless installed; returns the bin directory. */
export function installGeth({ force = false } = {}) {
  if (!force && gethInstalled()) return gethBinDir
  const go = goVersion()
  if (!go) throw new Error('Go is not on PATH: cannot build geth (https://go.dev/dl/)')
  log(
    `building ${commands.join(', ')} ${gethVersion} with ${go} (a few minutes on a fresh machine)`,
  )
  // Into a scratch directory first, then moved: the cache never holds half of a build.
  const tmp = join(gethDir, 'bin.partial')
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  const started = Date.now()
  const r = spawnSync(
    'go',
    ['install', ...commands.map((c) => `${module}/cmd/${c}@${gethVersion}`)],
    {
      env: { ...process.env, ...offlineEnv(), GOBIN: tmp },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  )
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true })
    throw new Error(`go install failed (exit ${r.status ?? r.signal})`)
  }
  rmSync(gethBinDir, { recursive: true, force: true })
  renameSync(tmp, gethBinDir)
  writeFileSync(stamp, `${gethVersion}\n`)
  log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${gethBinDir}`)
  return gethBinDir
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2)
  try {
    if (args.includes('--check')) {
      if (!gethInstalled()) {
        log(`${gethVersion} is not installed in ${gethBinDir}`)
        process.exit(1)
      }
      process.stdout.write(`${gethBinDir}\n`)
    } else {
      process.stdout.write(`${installGeth({ force: args.includes('--force') })}\n`)
    }
  } catch (err) {
    log(err.message)
    process.exit(1)
  }
}
