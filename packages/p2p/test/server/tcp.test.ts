import { generatePrivateKey, Node } from '@x/discover'
import { afterEach, describe, expect, it } from 'vitest'
import { DisconnectReason, Server, tcpNetwork } from '../../src/index.js'
import { echoProtocol, nextEvent } from './helpers.js'
import { plainRlpx } from './plain-rlpx.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
})

describe('tcpNetwork', () => {
  it('connects two servers over TCP on 127.0.0.1 (port 0) and stops cleanly', async () => {
    const mk = (staticNodes: Node[] = []) => {
      const s = new Server({
        privateKey: generatePrivateKey(),
        network: tcpNetwork(plainRlpx),
        listenAddress: { ip: '127.0.0.1', port: 0 },
        protocols: [echoProtocol()],
        staticNodes,
      })
      servers.push(s)
      return s
    }
    const b = mk()
    await b.start()
    const port = b.listenAddress?.port as number
    expect(port).toBeGreaterThan(0)
    const a = mk([new Node({ id: b.id, ip: '127.0.0.1', udp: port, tcp: port })])
    const added = nextEvent(b, 'peer:added')
    const addedA = nextEvent(a, 'peer:added')
    await a.start()
    const { peer } = await added
    await addedA
    expect(peer.remoteAddress.ip).toBe('127.0.0.1')
    expect(peer.inbound).toBe(true)
    const removed = nextEvent(b, 'peer:removed')
    await a.stop()
    const r = await removed
    expect(r.remote).toBe(true)
    expect(r.reason).toBe(DisconnectReason.ClientQuitting)
  })
})
