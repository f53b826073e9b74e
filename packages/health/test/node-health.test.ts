import { ManualClock } from '@x/discover/testing'
import { DisconnectReason, msgPipe } from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import { NodeHealth } from '../src/index.js'
import { fakePeer } from './fake-peer.js'

const running: NodeHealth[] = []
afterEach(async () => {
  for (const h of running.splice(0)) await h.stop()
})

describe('NodeHealth', () => {
  it('wires ping/1, liveness, the drop policy and the endpoints together', async () => {
    const clock = new ManualClock()
    const drops: [string, DisconnectReason][] = []
    const health = new NodeHealth({
      clock,
      readiness: { listening: true, discoveryRunning: true },
      http: { host: '127.0.0.1', port: 0 },
      dropUnhealthy: true,
      disconnect: (id, reason) => drops.push([id, reason]),
      pingInterval: 0,
    })
    running.push(health)
    await health.start()
    const { port } = health.http!.address!

    let res = await fetch(`http://127.0.0.1:${port}/readyz`)
    expect(res.status).toBe(503)

    const peer = fakePeer(9)
    const [local, remote] = msgPipe()
    health.liveness.peerAdded({ id: peer.idHex, address: peer.remoteAddress })
    const run = health.ping.run(peer, local, peer.signal)
    // The remote answers nothing: three timeouts make the peer unhealthy and it is dropped.
    for (let i = 0; i < 3; i++) {
      const p = health.ping.ping(peer.idHex).catch(() => {})
      await remote.readMsg()
      await clock.advance(5_000)
      await p
    }
    expect(drops).toEqual([[peer.idHex, DisconnectReason.ReadTimeout]])

    res = await fetch(`http://127.0.0.1:${port}/health/peers`)
    const body = (await res.json()) as { peers: { id: string; state: string }[] }
    expect(body.peers).toMatchObject([{ id: peer.idHex, state: 'unhealthy' }])
    res = await fetch(`http://127.0.0.1:${port}/readyz`)
    expect(res.status).toBe(200)

    peer.controller.abort()
    await run
    local.close()
    health.liveness.peerRemoved(peer.idHex)
    await health.stop()
    expect(clock.pending).toBe(0)
  })

  it('runs without HTTP', async () => {
    const health = new NodeHealth({ readiness: { listening: true } })
    running.push(health)
    await health.start()
    expect(health.http).toBeUndefined()
    expect(health.liveness.running).toBe(true)
  })
})
