// Proves that every @x/* package installs and imports on its own: `pnpm pack` each package,
// then for each one install its tarball (and the tarballs of the @x packages it depends on)
// with plain npm into a fresh project, and import its entry point from Node as ESM. Each tarball
// is also linted with publint (`--strict`: warnings fail too) and checked by
// @arethetypeswrong/cli (`--profile esm-only`: these packages ship ESM only, so CommonJS
// `require` resolutions are not checked).
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const tmp = mkdtempSync(join(tmpdir(), 'x-pack-check-'))
const tarballs = join(tmp, 'tarballs')
mkdirSync(tarballs)
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })
// The pnpm running this script (npx, corepack or global), not whatever `pnpm` is on PATH.
const pnpm = (args, cwd) =>
  process.env.npm_execpath?.includes('pnpm')
    ? run(process.execPath, [process.env.npm_execpath, ...args], cwd)
    : run('pnpm', args, cwd)

try {
  const pkgs = new Map()
  for (const name of readdirSync(join(root, 'packages'))) {
    const dir = join(root, 'packages', name)
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    if (manifest.private) continue
    pnpm(['pack', '--pack-destination', tarballs], dir)
    const file = `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`
    pkgs.set(manifest.name, {
      file: join(tarballs, file),
      deps: Object.keys(manifest.dependencies ?? {}),
    })
  }
  const closure = (name, seen = new Set()) => {
    if (seen.has(name) || !pkgs.has(name)) return seen
    seen.add(name)
    for (const dep of pkgs.get(name).deps) closure(dep, seen)
    return seen
  }
  let failures = 0
  const bin = (name) => join(root, 'node_modules', '.bin', name)
  for (const [name, { file }] of pkgs) {
    for (const [tool, args] of [
      ['publint', ['run', '--strict', file]],
      ['attw', ['--profile', 'esm-only', '--format', 'table-flipped', file]],
    ]) {
      try {
        run(bin(tool), args, tmp)
        console.log(`pack-check: ${name} passes ${tool}`)
      } catch (err) {
        failures++
        console.error(`pack-check: ${name} FAILED ${tool}:\n${err.stdout ?? ''}${err.message}`)
      }
    }
  }
  for (const name of pkgs.keys()) {
    const project = join(tmp, name.replace('/', '-'))
    mkdirSync(project)
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    )
    const files = [...closure(name)].map((n) => pkgs.get(n).file)
    try {
      run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files], project)
      const out = run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(name)}); console.log(Object.keys(m).length)`,
        ],
        project,
      )
      console.log(`pack-check: ${name} installs alone and imports (${out.trim()} exports)`)
    } catch (err) {
      failures++
      console.error(`pack-check: ${name} FAILED: ${err.message}`)
    }
  }
  if (failures > 0) process.exit(1)
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
