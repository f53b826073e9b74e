import { writeFile } from 'node:fs/promises'
import { parseEnode } from '@x/discover'
import { describe, expect, it, vi } from 'vitest'
import { type App, appFixture } from './harness.js'

// Real node-app processes on 127.0.0.1 with port 0: discovery over UDP, RLPx over TCP, eth,
// ping/1 and the health endpoints, as an operator runs them.

const apps = appFixture()

let seq = 0
async function start(...args: string[]): Promise<{ app: App; enode: string; id: string }> {
  const app = apps.spawn(`n${seq++}`, ...args)
  const enode = String((await app.waitFor('node started')).enode)
  return { app, enode, id: parseEnode(enode).idHex }
}

const short = (id: string) => id.slice(0, 16)

interface PeerHealth {
  id: string
  state: string
  rttSource: string
  rtt: { samples: number; last: number; consecutiveFailures: number }
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url)
  return { status: res.status, body: await res.json() }
}

describe('node-app network', () => {
  it('finds a peer through a bootnode, runs eth and ping/1, serves health, and quits cleanly', async () => {
    const a = await start('--network', 'devnet')
    const b = await start('--network', 'devnet', '--bootnodes', a.enode, '--http.port', '0')

    // Discovery (bond with the bootnode, lookup) feeds the dialer; RLPx + hello + eth Status.
    const added = await b.app.waitFor('peer added', (l) => l.peer === short(a.id))
    expect(added.inbound).toBe(false)
    expect(added.caps).toEqual(['eth/72', 'ping/1'])
    await a.app.waitFor('peer added', (l) => l.peer === short(b.id) && l.inbound === true)
    const eth = await b.app.waitFor('eth peer registered', (l) => l.peer === short(a.id))
    expect(eth.eth).toBe(72)

    const listening = await b.app.waitFor('health endpoints listening')
    const http = `http://${listening.host}:${listening.port}`
    expect((await getJson(`${http}/healthz`)).status).toBe(200)
    const ready = await getJson(`${http}/readyz`)
    expect(ready).toMatchObject({ status: 200 })
    // ping/1 between the two node-apps: 32 random bytes echoed, the round trip timed.
    const peerHealth = async () => {
      const { body } = await getJson(`${http}/health/peers`)
      return (body as { peers: PeerHealth[] }).peers.find((p) => p.id === a.id)
    }
    await vi.waitFor(async () => expect((await peerHealth())?.rtt.samples).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 50,
    })
    const health = await peerHealth()
    expect(health).toMatchObject({ state: 'healthy', rttSource: 'ping/1' })
    expect(health?.rtt.last).toBeGreaterThan(0)
    expect(health?.rtt.consecutiveFailures).toBe(0)

    // SIGTERM: A says "client quitting" to B and exits 0; B keeps running and logs the reason.
    expect(await a.app.stop('SIGTERM')).toBe(0)
    const dropped = await b.app.waitFor('peer dropped', (l) => l.peer === short(a.id))
    expect(dropped).toMatchObject({ reason: 'client quitting', remote: true })
    expect(a.app.lines.some((l) => l.msg === 'node stopped')).toBe(true)
    const notReady = await getJson(`${http}/readyz`)
    expect(notReady.status).toBe(503)
    expect(await b.app.stop('SIGTERM')).toBe(0)
  })

  it('keeps static nodes connected without discovery and admits trusted nodes when full', async () => {
    // C's key first, so that A can trust it from the start.
    const cFirst = apps.spawn('c', '--nodiscover')
    const cId = parseEnode(String((await cFirst.waitFor('node started')).enode)).idHex
    await cFirst.stop('SIGTERM')

    const trustedFile = apps.path('trusted.txt')
    await writeFile(trustedFile, `${'enode://'}${cId}@127.0.0.1:1\n`)
    // --nodial: all of A's one slot is inbound (go-ethereum keeps maxpeers/3, at least 1, for dials).
    const a = await start('--nodiscover', '--nodial', '--maxpeers', '1', '--trusted', trustedFile)
    const staticFile = apps.path('static.txt')
    await writeFile(staticFile, `# our static peer\n${a.enode}\n\n`)
    const b = await start('--nodiscover', '--static', staticFile)
    await b.app.waitFor('peer added', (l) => l.peer === short(a.id))
    await a.app.waitFor('peer added', (l) => l.peer === short(b.id))

    // A is full: another node is refused with "too many peers"...
    const d = await start('--nodiscover', '--static', staticFile, '--loglevel', 'debug')
    const refused = await d.app.waitFor(
      'connection failed',
      (l) => l.peer === short(a.id) && l.reason === 'too many peers',
    )
    expect(refused.inbound).toBe(false)

    // ...but a trusted node is admitted beyond the limit.
    const c = apps.spawn('c', '--nodiscover', '--static', staticFile)
    await c.waitFor('peer added', (l) => l.peer === short(a.id))
    await a.app.waitFor('peer added', (l) => l.peer === short(cId))
    expect(a.app.lines.filter((l) => l.msg === 'peer dropped')).toEqual([])
  })

  it('drops a peer of another network after the eth Status exchange', async () => {
    const a = await start('--nodiscover', '--network', 'devnet')
    const staticFile = apps.path('static.txt')
    await writeFile(staticFile, `${a.enode}\n`)
    const b = await start('--nodiscover', '--network', 'mainnet', '--static', staticFile)
    const failed = await b.app.waitFor('eth handshake failed', (l) => l.peer === short(a.id))
    expect(JSON.stringify(failed.err)).toMatch(/genesis|network/i)
    const dropped = await b.app.waitFor('peer dropped', (l) => l.peer === short(a.id))
    expect(dropped.reason).toBe('subprotocol error')
  })

  it('does not dial a discovered node of another network: its eth record entry fails the fork filter', async () => {
    const boot = await start('--network', 'devnet', '--nodial')
    const other = await start('--network', 'mainnet', '--nodial', '--bootnodes', boot.enode)
    const a = await start('--network', 'devnet', '--loglevel', 'debug', '--bootnodes', boot.enode)
    // The candidate's record is fetched and its `eth` entry (mainnet's fork id) rejected.
    await a.app.waitFor('dial candidate skipped', (l) => l.node === short(other.id))
    await a.app.waitFor('peer added', (l) => l.peer === short(boot.id))
    expect(a.app.lines.some((l) => l.peer === short(other.id) && l.msg === 'peer added')).toBe(
      false,
    )
    expect(
      a.app.lines.some((l) => l.peer === short(other.id) && l.msg === 'eth handshake failed'),
    ).toBe(false)
  })
})
