import { generatePrivateKey, Node } from '@x/discover'
import { afterEach, describe, expect, it } from 'vitest'
import { type RlpxHandshaker, rlpx, Server, tcpNetwork } from '../../src/index.js'
import { echoProtocol } from '../server/helpers.js'
import { plainRlpx } from '../server/plain-rlpx.js'
import { until } from './until.js'

/**
 * Ten servers on 127.0.0.1 over real TCP sockets, each keeping static links to the next two
 * (a ring): with a plaintext handshake stand-in, and with RLPx.
 */
const handshakers: [string, RlpxHandshaker][] = [
  ['plaintext stand-in', plainRlpx],
  ['RLPx', rlpx],
]

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
})

function makeNode(network: RlpxHandshaker, key: Uint8Array, port = 0): Server {
  const s = new Server({
    privateKey: key,
    network: tcpNetwork(network),
    listenAddress: { ip: '127.0.0.1', port },
    protocols: [echoProtocol()],
    maxPeers: 6,
    dialer: { historyExpiration: 200 },
  })
  servers.push(s)
  return s
}

describe.each(handshakers)('10 servers over TCP (%s)', (_, hs) => {
  it('connect in a ring of static links and redial nodes that come back', async () => {
    const keys = Array.from({ length: 10 }, () => generatePrivateKey())
    const nodes = keys.map((k) => makeNode(hs, k))
    await Promise.all(nodes.map((s) => s.start()))
    const enodes = nodes.map((s) => {
      const port = s.listenAddress?.port as number
      return new Node({ id: s.id, ip: '127.0.0.1', udp: port, tcp: port })
    })
    nodes.forEach((s, i) => {
      s.addPeer(enodes[(i + 1) % 10] as Node)
      s.addPeer(enodes[(i + 2) % 10] as Node)
    })
    await until(nodes, () => nodes.every((s) => s.peerCount() === 4), 8_000)

    const dead = nodes.splice(0, 3)
    await Promise.all(dead.map((s) => s.stop()))
    // Node i keeps the neighbours i±1, i±2 that are alive (nodes 0–2 died).
    const expected = (i: number) =>
      [i - 2, i - 1, i + 1, i + 2].filter((j) => (j + 10) % 10 > 2).length
    await until(nodes, () => nodes.every((s, k) => s.peerCount() === expected(k + 3)), 8_000)

    // The dead come back on the same ports; the others' static dials find them again.
    const revived = dead.map((_, i) => makeNode(hs, keys[i] as Uint8Array, enodes[i]?.tcp))
    await Promise.all(revived.map((s) => s.start()))
    revived.forEach((s, i) => {
      s.addPeer(enodes[(i + 1) % 10] as Node)
      s.addPeer(enodes[(i + 2) % 10] as Node)
    })
    const all = [...revived, ...nodes]
    await until(all, () => all.every((s) => s.peerCount() === 4), 8_000)
    expect(all.map((s) => s.peerCount())).toEqual(new Array(10).fill(4))
  })
})
