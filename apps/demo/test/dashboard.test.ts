import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The dashboard in a real browser: Debian's chromium driven by playwright-core. Skipped when
// /usr/bin/chromium is missing, unless X_REQUIRE_BROWSER=1 (CI) makes that a failure.

const chromiumPath = '/usr/bin/chromium'
const haveBrowser = existsSync(chromiumPath)
const required = process.env.X_REQUIRE_BROWSER === '1'
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))
/** The screenshot, under the test's output directory (apps/demo/test-output, git-ignored). */
const outDir = fileURLToPath(new URL('../test-output', import.meta.url))
const nodes = 5

if (!haveBrowser && !required) {
  process.stdout.write(
    `dashboard test skipped: ${chromiumPath} not found (set X_REQUIRE_BROWSER=1 to fail instead)\n`,
  )
}

interface View {
  nodes: { id: string; classes: string }[]
  rlpx: string[]
}

const graph = (page: Page) =>
  page.evaluate(() => {
    const cy = (globalThis as unknown as { dashboard: { cy: import('cytoscape').Core } }).dashboard
      .cy
    return {
      nodes: cy.nodes().map((n) => ({ id: n.id(), classes: n.classes().join(' ') })),
      rlpx: cy.edges('.rlpx').map((e) => e.id()),
    } satisfies View
  })

describe.skipIf(!haveBrowser && !required)('the dashboard in headless Chromium', () => {
  let demo: ChildProcess | undefined
  let browser: BrowserContext | undefined
  let profile: string | undefined
  let url = ''

  beforeAll(async () => {
    if (!haveBrowser) throw new Error(`X_REQUIRE_BROWSER=1 but ${chromiumPath} is missing`)
    demo = spawn(process.execPath, [main, '--nodes', String(nodes)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    demo.stdout?.setEncoding('utf8')
    url = await new Promise<string>((resolve, reject) => {
      demo?.once('exit', (code) => reject(new Error(`demo exited (${code}): ${out}`)))
      demo?.stdout?.on('data', (chunk: string) => {
        out += chunk
        const m = /dashboard: (\S+)/.exec(out)
        if (m && out.includes(`all ${nodes} nodes started`)) resolve(m[1] as string)
      })
    })
    profile = await mkdtemp(join(tmpdir(), 'demo-chromium-'))
    // A fresh profile directory (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      viewport: { width: 1400, height: 1000 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    if (demo && demo.exitCode === null) {
      const exited = once(demo, 'exit')
      demo.kill('SIGINT')
      await exited
      expect(demo.exitCode).toBe(0)
    }
    if (profile) await rm(profile, { recursive: true, force: true })
  }, 30_000)

  it('draws every node and link, and reacts when a node is stopped from the page', async () => {
    const page = await browser!.newPage()
    await page.goto(url)
    // Every node, and exactly the RLPx links the devnet reports, once the mesh is full.
    await expect
      .poll(
        async () => {
          const [view, state] = await Promise.all([
            graph(page),
            page.evaluate(
              async () =>
                (await (await fetch('api/state')).json()) as {
                  links: string[][]
                  meshComplete: boolean
                },
            ),
          ])
          const want = state.links.map(([a, b]) => `r:${a}:${b}`).sort()
          return (
            view.nodes.length === nodes &&
            state.meshComplete &&
            view.rlpx.sort().join() === want.join()
          )
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe(true)
    const before = await graph(page)
    expect(before.rlpx).toHaveLength((nodes * (nodes - 1)) / 2)

    // Stop n3 through the node panel's control.
    await page.selectOption('#node-select', 'n3')
    await page.click('#stop')
    await page
      .locator('#alerts li.firing[data-kind="silent"][data-node="n3"]')
      .waitFor({ timeout: 30_000 })
    await expect
      .poll(
        async () => {
          const v = await graph(page)
          const n3 = v.nodes.find((n) => n.id === 'n3')
          return Boolean(n3?.classes.includes('stopped')) && !v.rlpx.some((e) => e.includes('n3'))
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true)
    // The panel shows a running node in the picture.
    await page.selectOption('#node-select', 'n0')
    await page.locator('#node-info table.peers tr').nth(1).waitFor()
    await mkdir(outDir, { recursive: true })
    await page.screenshot({ path: join(outDir, 'dashboard.png'), fullPage: true })
  }, 120_000)
})
