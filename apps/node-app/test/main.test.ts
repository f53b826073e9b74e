import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEnode } from '@x/discover'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { App } from './harness.js'

let dir: string
const apps: App[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'node-app-'))
})
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop('SIGKILL')))
  await rm(dir, { recursive: true, force: true })
})

const start = (...args: string[]) => {
  const app = new App(args)
  apps.push(app)
  return app
}

describe('node-app', () => {
  it('prints its enode URL, keeps its key across restarts, and exits 0 on SIGTERM and SIGINT', async () => {
    const first = start('--datadir', dir, '--port', '30999', '--discport', '30998')
    const line = await first.waitFor('node started')
    const enode = String(line.enode)
    const node = parseEnode(enode)
    expect([node.ip, node.tcp, node.udp]).toEqual(['127.0.0.1', 30999, 30998])
    expect(first.lines.some((l) => l.msg === 'created node key')).toBe(true)
    expect(await first.stop('SIGTERM')).toBe(0)

    const second = start('--datadir', dir, '--port', '30999', '--discport', '30998')
    expect((await second.waitFor('node started')).enode).toBe(enode)
    expect(second.lines.some((l) => l.msg === 'created node key')).toBe(false)
    expect(await second.stop('SIGINT')).toBe(0)
  })

  it('rejects bad flags with exit code 2 and a usage message', async () => {
    const app = start('--port', 'x')
    expect(await app.stop('SIGCONT')).toBe(2)
    expect(app.stderr).toContain('--port must be a port number')
    expect(app.stderr).toContain('Usage: node-app')
  })
})
