import { ManualClock } from '@x/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type HealthHttpOptions,
  HealthHttpServer,
  HealthTracker,
  type ReadinessSource,
} from '../src/index.js'

const servers: HealthHttpServer[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop()
})

async function serve(options: Partial<HealthHttpOptions> & { readiness: ReadinessSource }) {
  const server = new HealthHttpServer({ port: 0, ...options })
  servers.push(server)
  const { host, port } = await server.start()
  const get = async (path: string, method = 'GET') => {
    const res = await fetch(`http://${host}:${port}${path}`, { method })
    const text = await res.text()
    return { status: res.status, type: res.headers.get('content-type'), text }
  }
  return { server, host, port, get }
}

describe('HealthHttpServer', () => {
  it('binds loopback on a free port and answers /healthz', async () => {
    const { host, get } = await serve({ readiness: { listening: true } })
    expect(host).toBe('127.0.0.1')
    const r = await get('/healthz')
    expect(r.status).toBe(200)
    expect(r.type).toContain('application/json')
    expect(JSON.parse(r.text)).toMatchObject({ status: 'ok' })
  })

  it('fails /healthz when the event loop lagged past the limit', async () => {
    const clock = new ManualClock()
    let mono = 0
    const { get } = await serve({
      readiness: { listening: true },
      clock,
      monotonic: () => mono,
      lagSampleInterval: 500,
      maxEventLoopDelay: 1000,
    })
    mono = 2000 // the timer due at 500 ran at 2000: 1500 ms late
    await clock.advance(500)
    const r = await get('/healthz')
    expect(r.status).toBe(503)
    expect(JSON.parse(r.text)).toMatchObject({ status: 'event loop stalled', eventLoopLagMs: 1500 })
  })

  it('answers /readyz with 503 and the reasons until the node is ready', async () => {
    const state = { listening: false, discoveryRunning: false, peers: 0 }
    const { get } = await serve({
      minPeers: 2,
      readiness: {
        get listening() {
          return state.listening
        },
        get discoveryRunning() {
          return state.discoveryRunning
        },
        peerCount: () => state.peers,
      },
    })
    let r = await get('/readyz')
    expect(r.status).toBe(503)
    expect(JSON.parse(r.text)).toEqual({
      status: 'not ready',
      reasons: ['not listening', 'discovery not running', 'fewer than minPeers (0 < 2)'],
      peers: 0,
      minPeers: 2,
    })
    Object.assign(state, { listening: true, discoveryRunning: true, peers: 2 })
    r = await get('/readyz')
    expect(r.status).toBe(200)
    expect(JSON.parse(r.text)).toMatchObject({ status: 'ready', reasons: [], peers: 2 })
  })

  it('serves every peer with its RTT statistics and state, best first', async () => {
    const tracker = new HealthTracker()
    tracker.add({ id: 'a'.repeat(128), address: { ip: '127.0.0.1', port: 30303 }, clientId: 'A' })
    tracker.recordRtt('a'.repeat(128), 40, 'ping/1')
    tracker.recordRtt('b'.repeat(128), 10, 'base')
    tracker.add({ id: 'c'.repeat(128) })
    tracker.recordFailure('c'.repeat(128), 'write-failed')
    const { get } = await serve({ tracker, readiness: { listening: true } })
    const r = await get('/health/peers')
    expect(r.status).toBe(200)
    const body = JSON.parse(r.text)
    expect(body.count).toBe(3)
    expect(body.peers.map((p: { id: string }) => p.id[0])).toEqual(['b', 'a', 'c'])
    expect(body.peers[1]).toMatchObject({
      id: 'a'.repeat(128),
      address: { ip: '127.0.0.1', port: 30303 },
      clientId: 'A',
      state: 'healthy',
      rttSource: 'ping/1',
      rtt: { last: 40, min: 40, ewma: 40, p50: 40, p95: 40, consecutiveFailures: 0 },
    })
    expect(body.peers[2]).toMatchObject({ state: 'unhealthy', rtt: { last: null } })
  })

  it('counts tracked peers for readiness when the source has no peerCount', async () => {
    const tracker = new HealthTracker()
    tracker.add({ id: 'a' })
    const { server } = await serve({
      tracker,
      requireDiscovery: false,
      readiness: { listening: true },
    })
    expect(server.readiness()).toEqual({ ready: true, reasons: [], peers: 1 })
  })

  it('answers 404 for other paths, 405 for other methods, no body for HEAD', async () => {
    const { get } = await serve({ readiness: { listening: true } })
    expect((await get('/metrics')).status).toBe(404)
    expect((await get('/healthz', 'POST')).status).toBe(405)
    const head = await get('/healthz', 'HEAD')
    expect(head.status).toBe(200)
    expect(head.text).toBe('')
  })

  it('serves extra read-only routes by exact path; a throwing one answers 500', async () => {
    let calls = 0
    const { get } = await serve({
      readiness: { listening: true },
      routes: {
        '/node': () => ({ calls: ++calls }),
        '/broken': () => {
          throw new Error('boom')
        },
      },
    })
    const r = await get('/node?x=1')
    expect(r.status).toBe(200)
    expect(r.type).toContain('application/json')
    expect(JSON.parse(r.text)).toEqual({ calls: 1 })
    expect((await get('/node', 'POST')).status).toBe(405)
    expect((await get('/node/')).status).toBe(404)
    expect((await get('/toString')).status).toBe(404)
    expect((await get('/broken')).status).toBe(500)
  })

  it('hands POST on a registered path to its handler; other methods there get 405', async () => {
    const { host, port, get } = await serve({
      readiness: { listening: true },
      post: {
        '/': (req, res) => {
          const chunks: Buffer[] = []
          req.on('data', (c: Buffer) => chunks.push(c))
          req.on('end', () => res.end(`echo:${Buffer.concat(chunks).toString()}`))
        },
      },
    })
    const r = await fetch(`http://${host}:${port}/?q`, { method: 'POST', body: 'hi' })
    expect(r.status).toBe(200)
    expect(await r.text()).toBe('echo:hi')
    const g = await get('/')
    expect(g.status).toBe(405)
    expect((await get('/healthz')).status).toBe(200)
    expect((await get('/healthz', 'POST')).status).toBe(405)
  })

  it('closes its port and timers on stop', async () => {
    const clock = new ManualClock()
    const { server, port, get } = await serve({ readiness: { listening: true }, clock })
    await get('/healthz') // leaves a keep-alive connection open
    await server.stop()
    expect(clock.pending).toBe(0)
    expect(server.address).toBeUndefined()
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow()
  })
})
