// The dashboard with N nodes in headless Chromium, for `node bench/dashboard.mjs <nodes>`: once the
// devnet's mesh is full, how long the page takes to draw every node and link, then for 30 s how
// many live updates arrive and how much of the page's main thread they cost (long tasks, > 50 ms).
// Prints one JSON line. Needs the built demo (dist/) and /usr/bin/chromium.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

const nodes = Number(process.argv[2] ?? '50')
const watchMs = 30_000
const demo = spawn(process.execPath, ['dist/main.js', '--nodes', String(nodes)], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
let out = ''
const url = await new Promise((resolve, reject) => {
  demo.once('exit', (code) => reject(new Error(`demo exited (${code})`)))
  demo.stdout.setEncoding('utf8').on('data', (chunk) => {
    out += chunk
    const m = /dashboard: (\S+)/.exec(out)
    if (m && out.includes('full mesh:')) resolve(m[1])
  })
})
const profile = await mkdtemp(join(tmpdir(), 'demo-bench-chromium-'))
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  viewport: { width: 1400, height: 1000 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
})
try {
  const page = await browser.newPage()
  const links = (nodes * (nodes - 1)) / 2
  const t0 = Date.now()
  await page.goto(url)
  await page.waitForFunction(
    ([n, l]) => {
      const cy = globalThis.dashboard?.cy
      return cy && cy.nodes().length === n && cy.edges('.rlpx').length === l
    },
    [nodes, links],
    { timeout: 120_000, polling: 200 },
  )
  const drawnMs = Date.now() - t0
  const watched = await page.evaluate(async (ms) => {
    let updates = 0
    const long = []
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) long.push(e.duration)
    })
    obs.observe({ type: 'longtask', buffered: false })
    const es = new EventSource('api/events')
    es.onmessage = () => updates++
    await new Promise((r) => setTimeout(r, ms))
    es.close()
    obs.disconnect()
    return {
      updates,
      longTasks: long.length,
      longTaskMs: Math.round(long.reduce((a, b) => a + b, 0)),
      maxLongTaskMs: Math.round(Math.max(0, ...long)),
    }
  }, watchMs)
  process.stdout.write(
    `${JSON.stringify({ nodes, links, drawnMs, watchMs, ...watched, busyShare: watched.longTaskMs / watchMs })}\n`,
  )
} finally {
  await browser.close()
  await rm(profile, { recursive: true, force: true })
  demo.kill('SIGINT')
}
