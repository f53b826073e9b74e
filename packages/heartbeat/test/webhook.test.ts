import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ManualClock } from '@x/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { Aggregator, type HeartbeatAlert, type HeartbeatError } from '../src/index.js'

const closes: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closes.splice(0)) await c()
})

/** A local HTTP server answering `status`; resolves `next()` with each request body. */
async function hookServer(status: number) {
  const bodies: { method: string; type: string; body: string }[] = []
  const waiters: (() => void)[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString()
    })
    req.on('end', () => {
      bodies.push({ method: req.method ?? '', type: req.headers['content-type'] ?? '', body })
      res.writeHead(status).end()
      for (const w of waiters.splice(0)) w()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closes.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    bodies,
    next: (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (bodies.length >= n ? resolve() : waiters.push(check))
        check()
      }),
  }
}

const peer = { idHex: 'ab'.repeat(64), remoteAddress: { ip: '127.0.0.1', port: 1 } }
const record = {
  version: 1,
  head: new Uint8Array(32),
  height: 7,
  nickname: 'hooked',
  minerAddress: new Uint8Array(20),
  nodeId: new Uint8Array(64).fill(0xab),
  clientVersion: 'test',
  peerCount: 0,
  timestamp: 0,
  period: 1_000,
}

describe('webhook', () => {
  it('POSTs each alert as JSON', async () => {
    const hook = await hookServer(204)
    const clock = new ManualClock()
    const agg = new Aggregator({ clock, webhook: hook.url })
    closes.push(() => agg.stop())
    agg.receive(peer, record)
    await clock.advance(3_000)
    await hook.next(1)
    agg.receive(peer, { ...record, height: 8 })
    await hook.next(2)
    expect(hook.bodies.map((b) => [b.method, b.type])).toEqual([
      ['POST', 'application/json'],
      ['POST', 'application/json'],
    ])
    const sent = hook.bodies.map((b) => JSON.parse(b.body) as HeartbeatAlert)
    expect(sent[0]).toMatchObject({ kind: 'silent', nickname: 'hooked', nodeId: peer.idHex })
    expect(sent[1]).toMatchObject({ kind: 'recovered', from: 'silent', height: 8 })
  })

  it('reports a failing webhook as ERR_WEBHOOK without disturbing the aggregator', async () => {
    const hook = await hookServer(500)
    const clock = new ManualClock()
    const agg = new Aggregator({ clock, webhook: hook.url })
    closes.push(() => agg.stop())
    const failed = new Promise<HeartbeatError>((resolve) =>
      agg.addEventListener('webhook:error', (e) => resolve(e.detail.error), { once: true }),
    )
    agg.receive(peer, record)
    await clock.advance(3_000)
    expect((await failed).code).toBe('ERR_WEBHOOK')
    expect(agg.alerts()).toHaveLength(1)
    agg.receive(peer, { ...record, height: 9 })
    expect(agg.node(peer.idHex)?.state).toBe('ok')
  })
})
