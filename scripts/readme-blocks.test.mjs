// Doc-tested READMEs: every TypeScript code block (```ts, ```typescript) in a README is either a
// complete program or marked as a fragment (the info string ```ts fragment). Each complete one is
// written to a temporary file in its README's own package directory (so `@x/*` imports resolve
// as in a project that depends on the package: to the built dist), and run with tsx from an
// empty temporary working directory (files it writes land there). It must exit 0 within the
// timeout; a block that starts a server must stop it.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'

const root = new URL('..', import.meta.url).pathname
const timeoutMs = 30_000
const tsx = join(root, 'node_modules', '.bin', 'tsx')

/** The TypeScript blocks of a Markdown text: { line (1-based, the fence), info, code }. */
function tsBlocks(text) {
  const blocks = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)(.*)$/.exec(lines[i])
    if (!open) continue
    const [, indent, fence, lang, rest] = open
    let j = i + 1
    while (j < lines.length && !lines[j].trimStart().startsWith(fence)) j++
    if (['ts', 'typescript', 'mts'].includes(lang.toLowerCase())) {
      const code = lines
        .slice(i + 1, j)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
        .join('\n')
      blocks.push({ line: i + 1, info: `${lang}${rest}`.trim(), code })
    }
    i = j
  }
  return blocks
}

const isFragment = (block) => block.info.split(/\s+/).includes('fragment')

const readmes = execFileSync('git', ['ls-files', 'README.md', '**/README.md'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean)
const cases = readmes.flatMap((readme) =>
  tsBlocks(readFileSync(join(root, readme), 'utf8'))
    .filter((b) => !isFragment(b))
    .map((b, n) => ({ readme, ...b, name: `${readme}:${b.line} (block ${n + 1})` })),
)

const made = []
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

function runBlock({ readme, line, code }) {
  // In the README's own package directory: `@x/*` resolve through its dependencies (or to itself).
  let pkgDir = dirname(join(root, readme))
  while (!existsSync(join(pkgDir, 'package.json'))) pkgDir = dirname(pkgDir)
  const dir = join(pkgDir, '.readme-blocks')
  mkdirSync(dir, { recursive: true })
  if (!made.includes(dir)) made.push(dir)
  const file = join(dir, `${readme.replaceAll('/', '_')}-${line}.ts`)
  writeFileSync(
    file,
    code.includes('import ') || code.includes('export ') ? code : `${code}\nexport {}\n`,
  )
  const cwd = mkdtempSync(join(tmpdir(), 'x-readme-block-'))
  made.push(cwd)
  return new Promise((resolve) => {
    const child = spawn(tsx, [file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.stderr.on('data', (d) => {
      out += d
    })
    const timer = setTimeout(() => {
      out += `\n(killed after ${timeoutMs} ms: the block did not end by itself)`
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, out })
    })
  })
}

describe.concurrent('README TypeScript blocks run', () => {
  test('there are blocks to run', () => expect(cases.length).toBeGreaterThan(0))
  for (const c of cases) {
    test(c.name, { timeout: timeoutMs + 10_000 }, async () => {
      const { code, signal, out } = await runBlock(c)
      expect(
        { code, signal },
        `${c.name} failed (mark it \`\`\`ts fragment if it is not a program):\n${out}`,
      ).toEqual({ code: 0, signal: null })
    })
  }
})

test('blocks are found by their fence; fragments are marked in the info string', async () => {
  const md = [
    '```ts',
    'console.log(1)',
    '```',
    '',
    '  ```ts fragment',
    '  server.start()',
    '  ```',
    '```sh',
    'pnpm test',
    '```',
  ].join('\n')
  const blocks = tsBlocks(md)
  expect(blocks.map((b) => [b.line, b.info, b.code, isFragment(b)])).toEqual([
    [1, 'ts', 'console.log(1)', false],
    [5, 'ts fragment', 'server.start()', true],
  ])
  const failing = await runBlock({ readme: 'README.md', line: 0, code: "throw new Error('boom')" })
  expect(failing.code).not.toBe(0)
  expect(failing.out).toContain('boom')
})
