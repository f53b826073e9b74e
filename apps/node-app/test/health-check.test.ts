import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appFixture } from './harness.js'

// Issue 8: the operator's checker (`x-health-check` from @x/health) against a running node-app,
// over real RLPx on 127.0.0.1 — every level passes; once the node is gone, L4 fails.

const checker = join(
  dirname(createRequire(import.meta.url).resolve('@x/health/package.json')),
  'dist/bin/x-health-check.js',
)

interface Report {
  ok: boolean
  steps: { name: string; status: string; ms?: number; note?: string }[]
  remote?: { clientId: string; version: number; caps: string[] }
}

function check(enode: string): Promise<{ code: number; report: Report }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [checker, enode, '--json', '--timeout', '5000'], (err, stdout) => {
      const code = err ? Number((err as { code?: unknown }).code) : 0
      try {
        resolve({ code, report: JSON.parse(stdout) as Report })
      } catch {
        reject(err ?? new Error(`not JSON: ${stdout}`))
      }
    })
  })
}

const apps = appFixture()

describe('x-health-check against node-app', () => {
  it('passes TCP, the RLPx handshake, base ping and ping/1; fails at L4 once the node stops', async () => {
    const app = apps.spawn('n', '--nodiscover')
    const enode = String((await app.waitFor('node started')).enode)

    const up = await check(enode)
    expect(up.code).toBe(0)
    expect(up.report.ok).toBe(true)
    expect(up.report.steps.map((s) => [s.name, s.status])).toEqual([
      ['tcp', 'pass'],
      ['handshake', 'pass'],
      ['base-ping', 'pass'],
      ['ping/1', 'pass'],
    ])
    for (const s of up.report.steps) expect(s.ms).toBeGreaterThan(0)
    expect(up.report.remote?.clientId).toMatch(/^node-app\/v/)
    expect(up.report.remote?.caps).toEqual(expect.arrayContaining(['eth/69', 'ping/1']))
    // The node saw the checker as an ordinary peer that came and went.
    await app.waitFor('peer dropped')

    expect(await app.stop('SIGTERM')).toBe(0)
    const down = await check(enode)
    expect(down.code).toBe(1)
    expect(down.report.ok).toBe(false)
    expect(down.report.steps[0]).toMatchObject({ name: 'tcp', status: 'fail', note: 'refused' })
  })
})
