import { existsSync } from 'node:fs'
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

  it('rejects a forged enr: bootnode at the flag, in one line, before creating anything', async () => {
    const record =
      'enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8'
    const bytes = Buffer.from(record.slice(4), 'base64url')
    bytes[10]! ^= 1
    const forged = `enr:${bytes.toString('base64url')}`
    const datadir = apps.path('forged')
    let t0 = Date.now()
    expect(await start('--help').stop('SIGCONT')).toBe(0)
    const baseline = Date.now() - t0
    t0 = Date.now()
    const app = start('--datadir', datadir, '--port', '0', '--bootnodes', forged)
    expect(await app.stop('SIGCONT')).toBe(2)
    console.log(
      `forged enr: refused ${Date.now() - t0 - baseline} ms after --help's ${baseline} ms`,
    )
    expect(app.stderr.trim().split('\n')).toEqual([
      `node-app: --bootnodes: invalid node record (record signature does not verify): ${forged} (see node-app --help)`,
    ])
    // Refused before start-up: no datadir, no node key.
    expect(existsSync(datadir)).toBe(false)
  })
})
