import { parseEnode } from '@x/discover'
import { describe, expect, it } from 'vitest'
import type { NodeReport } from '../src/report.js'
import { type App, appFixture } from './harness.js'

// `GET /node` next to the health endpoints: two node-apps over real sockets, the second
// bootstrapping from the first; each reports itself, the other as a peer (with traffic) and
// in its discovery table.

const apps = appFixture()

async function report(app: App): Promise<NodeReport> {
  const { host, port } = await app.waitFor('health endpoints listening')
  const res = await fetch(`http://${String(host)}:${Number(port)}/node`)
  expect(res.status).toBe(200)
  return (await res.json()) as NodeReport
}

describe('GET /node', () => {
  it('reports the node, its peers with their traffic, and its discovery table', async () => {
    const n1 = apps.spawn('n1', '--http.port', '0', '--network', 'devnet', '--loglevel', 'debug')
    const enode1 = String((await n1.waitFor('node started')).enode)
    const n2 = apps.spawn('n2', '--http.port', '0', '--network', 'devnet', '--bootnodes', enode1)
    const enode2 = String((await n2.waitFor('node started')).enode)
    const id1 = parseEnode(enode1).idHex
    const id2 = parseEnode(enode2).idHex
    await n1.waitFor('peer added', (l) => l.peer === id2.slice(0, 16))
    await n1.waitFor('table node added', (l) => l.node === id2.slice(0, 16))

    const r1 = await report(n1)
    expect(r1.node.enode).toBe(enode1)
    expect(r1.node.enr).toMatch(/^enr:/)
    expect(r1.node.name).toMatch(/^node-app\//)
    expect(r1.uptimeSeconds).toBeGreaterThanOrEqual(0)
    expect(r1.table.map((e) => e.nodeId)).toContain(id2)
    const peer = r1.peers.find((p) => p.nodeId === id2)
    expect(peer?.caps).toEqual(expect.arrayContaining(['eth/69', 'ping/1']))
    expect(peer?.traffic.bytesIn).toBeGreaterThan(0)
    expect(peer?.traffic.bytesOut).toBeGreaterThan(0)
    expect(r1.traffic.bytesIn).toBeGreaterThanOrEqual(peer?.traffic.bytesIn ?? 0)

    const r2 = await report(n2)
    expect(r2.peers.map((p) => p.nodeId)).toEqual([id1])
    expect(await Promise.all([n1.stop(), n2.stop()])).toEqual([0, 0])
  })
})
