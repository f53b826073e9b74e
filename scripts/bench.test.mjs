// The root bench command, in its no-op modes only (no benchmark runs here): `pnpm bench --list`,
// and every `pnpm bench …` command line written in a README resolves, through `--dry-run`, to
// the packages whose cases it names.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { benchPackages, plan } from './bench.mjs'
import { pnpmCommand } from './pnpm.mjs'

const root = new URL('..', import.meta.url).pathname
const readmes = execFileSync('git', ['ls-files', '*.md'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && !f.includes('CHANGELOG') && !f.startsWith('.changeset/'))

/** `pnpm bench …` as written in code spans and blocks; `[a|b]` expands, `[N…]` is dropped. */
function benchCommands() {
  const found = []
  for (const file of readmes) {
    const text = readFileSync(join(root, file), 'utf8')
    for (const m of text.matchAll(/pnpm(?: --filter (\S+))? bench((?: [^`\n]*)?)/g)) {
      const [, filter, rest] = m
      let variants = [rest.trim()]
      const alt = /\[([^\]|]+(?:\|[^\]|]+)+)\]/.exec(variants[0])
      if (alt) variants = alt[1].split('|').map((a) => variants[0].replace(alt[0], a))
      for (const v of variants) {
        const args = v
          .replace(/\[[^\]]*\]/g, '')
          .split(/\s+/)
          .filter((a) => a && !a.startsWith('(') && !a.startsWith('-') && a !== '…')
        found.push({ file, filter, args, text: m[0] })
      }
    }
  }
  return found
}

test('pnpm bench --list names every package with cases, runs nothing', () => {
  const [cmd, ...pre] = pnpmCommand()
  const out = execFileSync(cmd, [...pre, 'bench', '--list'], { cwd: root, encoding: 'utf8' })
  for (const p of benchPackages()) expect(out).toContain(p.name)
  expect(out).toContain('closest')
})

test('every bench command in a README resolves to the packages that have its cases', () => {
  const commands = benchCommands()
  expect(commands.length).toBeGreaterThan(5)
  const pkgs = benchPackages()
  for (const c of commands) {
    const where = `${c.file}: \`${c.text}\``
    if (c.filter) {
      // `pnpm --filter <pkg> bench`: a package with a bench script (the placeholder: any of them).
      if (!c.filter.startsWith('<'))
        expect(
          pkgs.some((p) => p.name === c.filter),
          where,
        ).toBe(true)
      continue
    }
    const res = spawnSync(
      process.execPath,
      [join(root, 'scripts/bench.mjs'), '--dry-run', ...c.args],
      {
        cwd: root,
        encoding: 'utf8',
      },
    )
    expect(res.status, `${where}\n${res.stderr}`).toBe(0)
    const named = c.args.filter((a) => !/^\d+$/.test(a))
    for (const name of named) {
      const owner = pkgs.find((p) => p.cases.includes(name))
      expect(res.stdout, where).toContain(
        `(${owner.dir.slice(root.length)}) pnpm run bench ${name}`,
      )
    }
    if (named.length === 0)
      for (const p of pkgs) expect(res.stdout, where).toContain(`(${p.dir.slice(root.length)})`)
  }
})

test('an unknown case is an error naming the known ones', () => {
  const result = plan(['nope'])
  expect(result.error).toMatch(/unknown bench case nope; known: .*closest/)
  const sizes = plan(['sim', '1000', '5000']).runs
  expect(sizes.map((r) => [r.pkg.name, r.args])).toEqual([['@x/discover', ['sim', '1000', '5000']]])
})
