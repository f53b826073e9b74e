import { connect } from 'node:net'
import { ManualClock } from '@x/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { Aggregator, AggregatorHttpServer, type HeartbeatRecord } from '../src/index.js'

const closes: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closes.splice(0)) await c()
})

const peer = { idHex: 'cd'.repeat(64), remoteAddress: { ip: '127.0.0.1', port: 5 } }
const record: HeartbeatRecord = {
  version: 1,
  head: new Uint8Array(32).fill(1),
  height: 3,
  nickname: 'api',
  minerAddress: new Uint8Array(20),
  nodeId: new Uint8Array(64).fill(0xcd),
  clientVersion: 'test',
  peerCount: 2,
  timestamp: 1,
  period: 1_000,
}

async function serve() {
  const clock = new ManualClock()
  const aggregator = new Aggregator({ clock })
  const http = new AggregatorHttpServer({ aggregator })
  await http.start()
  closes.push(async () => {
    await http.stop()
    await aggregator.stop()
  })
  const base = `http://127.0.0.1:${http.address?.port}`
  return { clock, aggregator, http, base }
}

describe('AggregatorHttpServer', () => {
  it('binds 127.0.0.1 on a free port by default', async () => {
    const { http } = await serve()
    expect(http.address?.host).toBe('127.0.0.1')
    expect(http.address?.port).toBeGreaterThan(0)
  })

  it('serves nodes, one node, its history and alerts as JSON', async () => {
    const { aggregator, clock, base } = await serve()
    aggregator.receive(peer, record)
    aggregator.receive(peer, { ...record, height: 4 })
    await clock.advance(3_000)

    const nodes = await fetch(`${base}/nodes`)
    expect(nodes.headers.get('content-type')).toBe('application/json')
    const body = (await nodes.json()) as { highest: number; nodes: unknown[] }
    expect(body.highest).toBe(4)
    expect(body.nodes).toEqual([
      expect.objectContaining({
        id: peer.idHex,
        nickname: 'api',
        state: 'silent',
        beats: 2,
        address: '127.0.0.1:5',
        lastBeat: expect.objectContaining({ height: 4, head: `0x${'01'.repeat(32)}` }),
      }),
    ])
    const one = await (await fetch(`${base}/nodes/${peer.idHex}`)).json()
    expect(one).toMatchObject({ id: peer.idHex, state: 'silent' })
    const history = (await (await fetch(`${base}/nodes/${peer.idHex}/history`)).json()) as {
      history: { height: number }[]
    }
    expect(history.history.map((h) => h.height)).toEqual([3, 4])
    const alerts = (await (await fetch(`${base}/alerts`)).json()) as { alerts: unknown[] }
    expect(alerts.alerts).toEqual([expect.objectContaining({ kind: 'silent', nodeId: peer.idHex })])
    const none = (await (await fetch(`${base}/alerts?limit=0`)).json()) as { alerts: unknown[] }
    expect(none.alerts).toEqual([])
  })

  it('answers 404, 400 and 405 for what it does not serve', async () => {
    const { base } = await serve()
    expect((await fetch(`${base}/nodes/unknown`)).status).toBe(404)
    expect((await fetch(`${base}/nodes/unknown/history`)).status).toBe(404)
    expect((await fetch(`${base}/nope`)).status).toBe(404)
    expect((await fetch(`${base}/alerts?limit=-1`)).status).toBe(400)
    expect((await fetch(`${base}/nodes`, { method: 'POST' })).status).toBe(405)
  })

  it('answers 400 to a request target that is no URL, and keeps serving', async () => {
    const { http, base } = await serve()
    const status = await new Promise<string>((resolve, reject) => {
      const socket = connect(http.address?.port ?? 0, '127.0.0.1')
      let got = ''
      socket.on('error', reject)
      socket.on('data', (d) => {
        got += d.toString()
        if (got.includes('\r\n')) {
          socket.destroy()
          resolve(got.slice(0, got.indexOf('\r\n')))
        }
      })
      socket.write('GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    })
    expect(status).toBe('HTTP/1.1 400 Bad Request')
    expect((await fetch(`${base}/nodes`)).status).toBe(200)
  })
})
