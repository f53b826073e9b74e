import { parseEnode } from '@x/discover'
import { describe, expect, it } from 'vitest'
import { appFixture } from './harness.js'

const apps = appFixture()

const start = apps.run

describe('node-app', () => {
  it('prints its enode URL, keeps its key across restarts, and exits 0 on SIGTERM and SIGINT', async () => {
    const first = apps.spawn('n')
    const line = await first.waitFor('node started')
    const enode = String(line.enode)
    const node = parseEnode(enode)
    expect(node.ip).toBe('127.0.0.1')
    // Port 0: the OS picks free TCP and UDP ports, and the enode URL carries the real ones.
    expect(node.tcp).toBeGreaterThan(0)
    expect(node.udp).toBeGreaterThan(0)
    expect(first.lines.some((l) => l.msg === 'created node key')).toBe(true)
    expect(await first.stop('SIGTERM')).toBe(0)

    const second = apps.spawn('n')
    const again = parseEnode(String((await second.waitFor('node started')).enode))
    expect(again.idHex).toBe(node.idHex)
    expect(second.lines.some((l) => l.msg === 'created node key')).toBe(false)
    expect(await second.stop('SIGINT')).toBe(0)
  })

  it('rejects bad flags with exit code 2 and one line naming the flag', async () => {
    const app = start('--port', 'x')
    expect(await app.stop('SIGCONT')).toBe(2)
    expect(app.stderr).toBe(
      'node-app: --port must be a port number 0-65535, got "x" (see node-app --help)\n',
    )
  })

  it('rejects a bad --nat within a second, in one line', async () => {
    // Within a second of what `--help` takes (process start and module loading, which a loaded
    // machine stretches): the flag is refused before anything is opened.
    let t0 = Date.now()
    expect(await start('--help').stop('SIGCONT')).toBe(0)
    const baseline = Date.now() - t0
    t0 = Date.now()
    const app = start('--nat', 'upnp:1.2.3.4')
    expect(await app.stop('SIGCONT')).toBe(2)
    expect(Date.now() - t0 - baseline).toBeLessThan(1000)
    expect(app.stderr.trim().split('\n')).toEqual([
      'node-app: --nat upnp takes no argument, got upnp:1.2.3.4 (see node-app --help)',
    ])
  })
})
