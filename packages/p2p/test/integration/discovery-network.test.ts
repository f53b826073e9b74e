import { getCrypto, setCrypto, started, useFastCrypto } from '@x/core'
import { Discovery, generatePrivateKey } from '@x/discover'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DisconnectReason, rlpx, Server, tcpNetwork } from '../../src/index.js'
import { echoProtocol } from '../server/helpers.js'
import { until } from './until.js'

/**
 * The 10-node network in one process: every node is discv4 on a real UDP socket plus a
 * p2p server over RLPx on a real TCP socket, found by discovery only (one bootnode, no static
 * nodes). Each node fills its dialed slots; when 3 nodes stop, the others redial and fill them
 * again. (Every test file also asserts it left no socket or timer: test/no-leaked-handles.ts.)
 */

// The fast crypto backend, as a node uses it: ten nodes' handshakes are CPU-bound.
const noble = getCrypto()
beforeAll(async () => {
  await useFastCrypto()
})
afterAll(() => setCrypto(noble))

const maxPeers = 6
const dialRatio = 3
const dialTarget = maxPeers / dialRatio

interface TestNode {
  server: Server
  discovery: Discovery
}

const nodes: TestNode[] = []

async function stopNode(n: TestNode): Promise<void> {
  await n.server.stop()
  await n.discovery.stop()
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map(stopNode))
})

async function startNode(bootnode?: TestNode): Promise<TestNode> {
  const privateKey = generatePrivateKey()
  const boot = bootnode?.discovery.self
  const server = new Server({
    privateKey,
    network: tcpNetwork(rlpx),
    listenAddress: { ip: '127.0.0.1', port: 0 },
    protocols: [echoProtocol()],
    maxPeers,
    dialRatio,
    bootnodes: boot ? [boot] : [],
    dialer: { historyExpiration: 500, bootnodeFallbackDelay: 500 },
  })
  await server.start()
  const discovery = await started(
    new Discovery({
      privateKey,
      host: '127.0.0.1',
      port: 0,
      tcpPort: server.listenAddress?.port,
      bootnodes: boot ? [boot] : [],
      ntp: false,
    }),
  )
  const n = { server, discovery }
  nodes.push(n)
  await server.setDiscovery(discovery)
  return n
}

const counts = () => `(dialed peers: ${nodes.map((n) => dialed(n.server)).join(' ')})`

/** Peers we dialed (the slots the dial scheduler fills). */
function dialed(s: Server): number {
  return s.peers().filter((p) => !p.inbound).length
}

describe('10 nodes: discovery over UDP + p2p servers over RLPx/TCP', () => {
  it('fill their dialed slots from discovery, and again after 3 nodes stop', async () => {
    const boot = await startNode()
    const rest = await Promise.all(Array.from({ length: 9 }, () => startNode(boot)))
    const all = [boot, ...rest].map((n) => n.server)
    await until(all, () => all.every((s) => dialed(s) >= dialTarget), 15_000, counts)
    for (const s of all) expect(s.peerCount()).toBeLessThanOrEqual(maxPeers)

    // Stop three nodes (not the bootnode); the survivors lose peers and must redial.
    const stopped = nodes.splice(1, 3)
    const gone = new Set(stopped.map((n) => n.server.idHex))
    const alive = nodes.map((n) => n.server)
    const lostDialed = alive.filter((s) => s.peers().some((p) => !p.inbound && gone.has(p.idHex)))
    expect(lostDialed.length).toBeGreaterThan(0)
    // Every link to a stopped node ends with the "client quitting" it sends; a link the stopped
    // node was still rejecting at its second checkpoint ends with that checkpoint's reason.
    const links = new Set(alive.flatMap((s) => s.peers().filter((p) => gone.has(p.idHex))))
    const reasons: DisconnectReason[] = []
    for (const s of alive) {
      s.addEventListener('peer:removed', ({ detail }) => {
        if (links.has(detail.peer)) reasons.push(detail.reason)
      })
    }
    await Promise.all(stopped.map(stopNode))
    await until(
      alive,
      () =>
        alive.every((s) => dialed(s) >= dialTarget && s.peers().every((p) => !gone.has(p.idHex))),
      12_000,
      counts,
    )
    expect(reasons.length).toBe(links.size)
    const checkpoint = [DisconnectReason.TooManyPeers, DisconnectReason.AlreadyConnected]
    expect(
      reasons
        .filter((r) => !checkpoint.includes(r))
        .every((r) => r === DisconnectReason.ClientQuitting),
    ).toBe(true)
    expect(reasons).toContain(DisconnectReason.ClientQuitting)
    for (const s of alive) expect(s.peerCount()).toBeLessThanOrEqual(maxPeers)
  })
})
