// Two p2p servers on the in-memory network exchange eth Status and headers:
// `npx tsx examples/two-servers.ts` from packages/eth (after building @x/discover and @x/p2p).
import { generatePrivateKey, Node } from '@x/discover'
import { Server } from '@x/p2p'
import { MemoryNetwork } from '@x/p2p/testing'
import { devnet, EthHandler, headerNumber, memoryBackend } from '../src/index.js'

const net = new MemoryNetwork()

async function startNode(ip: string, blocks: number, staticNodes: Node[] = []) {
  const backend = memoryBackend(devnet) // devnet genesis, in-memory chain and tx pool
  for (let i = 0; i < blocks; i++) backend.chain.mine()
  const eth = new EthHandler({ backend, chain: devnet }) // eth/69 and eth/68
  backend.chain.onBlock((block, td) => eth.broadcastBlock(block, td))
  const server = new Server({
    privateKey: generatePrivateKey(),
    network: net.host(ip),
    listenAddress: { ip, port: 30303 },
    protocols: eth.protocols,
    staticNodes,
    noDiscovery: true,
  })
  await server.start()
  return { server, eth, backend, node: new Node({ id: server.id, ip, udp: 30303, tcp: 30303 }) }
}

const a = await startNode('10.0.0.1', 64)
const b = await startNode('10.0.0.2', 0, [a.node])

// Wait until B has passed the Status handshake with A.
const peer = await new Promise<import('../src/index.js').EthPeer>((resolve) =>
  b.eth.addEventListener('peer:registered', (e) => resolve(e.detail.peer)),
)
console.log(`B runs eth/${peer.version} with A; A's head is block ${peer.head.number}`)

// Sync A's headers: 64 from block 1, then check they chain up.
const headers = await peer.requestHeaders({ origin: 1, amount: 64, skip: 0, reverse: false })
console.log(
  `B got ${headers.length} headers, blocks ${headerNumber(headers[0]!)}..${headerNumber(headers.at(-1)!)}`,
)

await b.server.stop()
await a.server.stop()
