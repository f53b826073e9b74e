import { parseEnode } from '@x/discover'
import { describe, expect, it } from 'vitest'
import { type App, type AppLine, appFixture } from './harness.js'

// Issue 9 over real sockets: three node-apps beat to a fourth running the aggregator
// (`--aggregator`), over RLPx on 127.0.0.1. One is killed: the aggregator raises its silence
// alert after 3 beat periods; restarted with the same key, it is reported recovered.

const apps = appFixture()

const spawnApp = (name: string, ...args: string[]) => apps.spawn(name, '--nodiscover', ...args)

const period = 1_000

interface NodeView {
  id: string
  state: string
  nickname: string
  connected: boolean
  lastBeat: { nickname: string; height: number; clientVersion: string; period: number }
}

async function nodes(url: string): Promise<NodeView[]> {
  const res = await fetch(`${url}/nodes`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { nodes: NodeView[] }).nodes
}

describe('node-app heartbeats', () => {
  it('three nodes beat to an aggregator node; a killed one turns silent, then recovers', async () => {
    const agg = spawnApp('agg', '--aggregator', '--aggregator.http.port', '0')
    const aggEnode = String((await agg.waitFor('node started')).enode)
    const url = String((await agg.waitFor('aggregator endpoints')).url)

    const sender = (i: number) =>
      spawnApp(
        `s${i}`,
        '--heartbeat.target',
        aggEnode,
        '--heartbeat.period',
        `${period}ms`,
        '--heartbeat.nickname',
        `node-${i}`,
      )
    const senders = [1, 2, 3].map(sender)
    const ids = await Promise.all(
      senders.map(async (s) => parseEnode(String((await s.waitFor('node started')).enode)).idHex),
    )
    for (const [i, id] of ids.entries()) {
      const joined = await agg.waitFor('node joined', (l) => l.node === id.slice(0, 16))
      expect(joined.nickname).toBe(`node-${i + 1}`)
    }
    const view = await nodes(url)
    expect(view.map((n) => n.id).sort()).toEqual([...ids].sort())
    for (const n of view) {
      expect(n.state).toBe('ok')
      expect(n.connected).toBe(true)
      expect(n.lastBeat.clientVersion).toMatch(/^node-app\//)
      expect(n.lastBeat.period).toBe(period)
    }

    // kill -9: no Disconnect, the beats just stop.
    const victim = senders[1] as App
    const victimId = ids[1] as string
    const isAlert = (kind: string) => (l: AppLine) =>
      l.kind === kind && l.node === victimId.slice(0, 16)
    await victim.stop('SIGKILL')
    await agg.until(() => agg.lines.some(isAlert('silent')), 'silent alert')
    const alerts = async () =>
      ((await (await fetch(`${url}/alerts`)).json()) as { alerts: Alert[] }).alerts
    const silent = (await alerts()).find((a) => a.kind === 'silent' && a.nodeId === victimId)
    // Raised once 3 of the node's periods passed since its last beat, not before.
    expect(silent?.silentFor).toBeGreaterThanOrEqual(3 * period)
    const states = new Map((await nodes(url)).map((n) => [n.id, n.state]))
    expect(states.get(victimId)).toBe('silent')
    expect(ids.filter((id) => id !== victimId).map((id) => states.get(id))).toEqual(['ok', 'ok'])

    // Restarted on its datadir (same key): its next beat clears the alert.
    const again = spawnApp(
      's2',
      '--heartbeat.target',
      aggEnode,
      '--heartbeat.period',
      `${period}ms`,
      '--heartbeat.nickname',
      'node-2',
    )
    expect(parseEnode(String((await again.waitFor('node started')).enode)).idHex).toBe(victimId)
    await agg.until(() => agg.lines.some(isAlert('recovered')), 'recovered alert')
    const recovered = (await alerts()).find((a) => a.kind === 'recovered' && a.nodeId === victimId)
    expect(recovered?.from).toBe('silent')
    expect((await nodes(url)).find((n) => n.id === victimId)?.state).toBe('ok')

    const live = [agg, senders[0] as App, senders[2] as App, again]
    expect(await Promise.all(live.map((a) => a.stop('SIGTERM')))).toEqual([0, 0, 0, 0])
  }, 60_000)
})

interface Alert {
  kind: string
  nodeId: string
  silentFor?: number
  from?: string
}
