// Start → full mesh, and start → first alert (one node stopped once the mesh is full), for
// `node bench/measure.mjs <nodes>`. Drives the built demo through its own stdout and control API.
import { spawn } from 'node:child_process'

const nodes = process.argv[2] ?? '8'
const t0 = Date.now()
const demo = spawn(process.execPath, ['dist/main.js', '--nodes', nodes], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
let out = ''
let url = ''
let stoppedAt = 0
demo.stdout.setEncoding('utf8').on('data', async (chunk) => {
  out += chunk
  process.stdout.write(chunk)
  url ||= /dashboard: (\S+)/.exec(out)?.[1] ?? ''
  if (!stoppedAt && out.includes('full mesh:')) {
    stoppedAt = Date.now()
    await fetch(`${url}api/control`, {
      method: 'POST',
      body: JSON.stringify({ op: 'stop', node: 'n1' }),
    })
    process.stdout.write(`n1 stopped ${((stoppedAt - t0) / 1000).toFixed(1)} s after launch\n`)
  }
  // The first alert may fire before the mesh is full (a loaded machine delays beats): then the
  // run goes on until the mesh is full and the stopped node's own silence alert.
  if (stoppedAt && /n1 silent/.test(out.slice(out.indexOf('full mesh:'))) && !demo.killed) {
    process.stdout.write(
      `n1's alert ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after the stop\n`,
    )
    demo.kill('SIGINT')
  }
})
const limit = setTimeout(() => demo.kill('SIGINT'), 600_000)
demo.on('exit', (code) => {
  clearTimeout(limit)
  process.stdout.write(`demo exited ${code}\n`)
})
