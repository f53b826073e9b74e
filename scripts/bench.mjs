// `pnpm bench [case…] [N…]` from the repository root: runs the named benchmark cases of whichever
// packages have them (default: every package's bench, one package at a time), numbers being the
// cases' arguments (`pnpm bench sim 1000 5000`: simulator sizes). A name is a case of a package's
// `bench/run.ts` (`closest`, `rlpx`, `eth`, …), or a package (`@x/health`, or `health` when no
// case has that name) for all of its cases. It first builds what the packages need, then runs
// `pnpm run bench <cases> <N…>` in each package, with the environment as given (so
// `NODE_OPTIONS`, `PROP_ROUNDS` reach the cases).
//   --list      prints every case and its package, runs nothing
//   --dry-run   prints the commands it would run, runs nothing
//   --quick     tiny sizes, one repetition: proves the harness runs (payloads verified), no figures
//   --reps=N    repetitions of each measurement (default 3)
//   --out=DIR   writes results to DIR instead of bench/results/ (figures from a loaded machine)
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { pnpmCommand } from './pnpm.mjs'

const root = new URL('..', import.meta.url).pathname

/** Every workspace package with a `bench` script, and the case names its bench/run.ts lists. */
export function benchPackages() {
  const pkgs = []
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const dir = join(root, group, name)
      if (!existsSync(join(dir, 'package.json'))) continue
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      if (!manifest.scripts?.bench) continue
      const runTs = join(dir, 'bench', 'run.ts')
      const source = existsSync(runTs) ? readFileSync(runTs, 'utf8') : ''
      // `runCases({ name: () => import('./file.ts'), … })`: the keys are the case names.
      const block = /runCases\(\s*\{([\s\S]*?)\}\s*\)/.exec(source)?.[1] ?? ''
      const cases = [...block.matchAll(/['"]?([\w-]+)['"]?\s*:\s*\(\)\s*=>/g)].map((m) => m[1])
      pkgs.push({ name: manifest.name, short: name, dir, cases })
    }
  }
  return pkgs
}

/** The plan for these arguments: [{ pkg, args }] in the order first named, or an error. */
export function plan(argv, pkgs = benchPackages()) {
  const sizes = argv.filter((a) => /^\d+$/.test(a))
  const names = argv.filter((a) => !/^\d+$/.test(a))
  if (names.length === 0) return { runs: pkgs.map((pkg) => ({ pkg, args: sizes })) }
  const byPkg = new Map()
  for (const name of names) {
    const owner = pkgs.find((p) => p.cases.includes(name))
    const whole = pkgs.find((p) => p.name === name || p.short === name)
    if (owner) {
      const entry = byPkg.get(owner) ?? { cases: [] }
      if (entry.cases) entry.cases.push(name)
      byPkg.set(owner, entry)
    } else if (whole) {
      byPkg.set(whole, { cases: null }) // the whole package
    } else {
      const known = pkgs.flatMap((p) => (p.cases.length > 0 ? p.cases : [p.short]))
      return { error: `unknown bench case ${name}; known: ${known.join(', ')} (or a package name)` }
    }
  }
  return {
    runs: [...byPkg].map(([pkg, { cases }]) => ({ pkg, args: [...(cases ?? []), ...sizes] })),
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2).filter((a) => a !== '--')
  const list = argv.includes('--list')
  const dryRun = argv.includes('--dry-run')
  const pkgs = benchPackages()
  if (list) {
    for (const p of pkgs) {
      const cases = p.cases.length > 0 ? p.cases.join(', ') : `${p.short} (one case)`
      console.log(`${p.name.padEnd(14)} ${cases}`)
    }
    process.exit(0)
  }
  const passFlags = []
  // Also in the environment, for the cases that do not parse flags (bench/record.ts reads it).
  const env = { ...process.env }
  for (const a of argv.filter((x) => x.startsWith('-') && x !== '--dry-run')) {
    const [key, value] = a.split('=', 2)
    if (key === '--quick' && value === undefined) {
      passFlags.push(a)
      env.BENCH_QUICK = '1'
    } else if (key === '--reps' && /^\d+$/.test(value ?? '')) {
      passFlags.push(a)
      env.BENCH_REPS = value
    } else if (key === '--out' && value) {
      passFlags.push(`--out=${resolve(value)}`)
      env.BENCH_RESULTS_DIR = resolve(value)
    } else {
      console.error(
        `unknown flag ${a}; usage: pnpm bench [--list|--dry-run] [--quick] [--reps=N] [--out=DIR] [case…] [N…]`,
      )
      process.exit(1)
    }
  }
  const result = plan(
    argv.filter((a) => !a.startsWith('-')),
    pkgs,
  )
  if (result.error) {
    console.error(result.error)
    process.exit(1)
  }
  const [cmd, ...pre] = pnpmCommand()
  const steps = [
    {
      cwd: root,
      args: [
        'exec',
        'turbo',
        'run',
        'build',
        ...result.runs.map((r) => `--filter=${r.pkg.name}...`),
      ],
    },
    ...result.runs.map((r) => ({
      cwd: r.pkg.dir,
      args: ['run', 'bench', ...r.args, ...passFlags],
    })),
  ]
  for (const step of steps) {
    console.log(`bench: (${relative(root, step.cwd) || '.'}) pnpm ${step.args.join(' ')}`)
    if (dryRun) continue
    const res = spawnSync(cmd, [...pre, ...step.args], { cwd: step.cwd, stdio: 'inherit', env })
    if (res.status !== 0) process.exit(res.status ?? 1)
  }
}
