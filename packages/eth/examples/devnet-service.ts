// Two devnet nodes, each an EthService on a p2p Server, over real TCP + RLPx on
// 127.0.0.1: `npx tsx examples/devnet-service.ts` from packages/eth (after building @x/discover
// and @x/p2p). Blocks every 500 ms; prints the handshake and the peer's heads, then stops.
import { generatePrivateKey, Node } from '@x/discover'
import { rlpx, Server, tcpNetwork } from '@x/p2p'
import { EthService } from '../src/index.js'

async function startNode(name: string, staticNodes: Node[] = []) {
  const eth = new EthService({ network: 'devnet', blockInterval: 500 })
  eth.handler.addEventListener('peer:registered', ({ detail: { peer } }) =>
    console.log(`${name}: eth/${peer.version} handshake with ${peer.id.slice(0, 8)}`),
  )
  eth.handler.addEventListener('peer:head', ({ detail: { peer, head } }) =>
    console.log(`${name}: peer ${peer.id.slice(0, 8)} head #${head.number}`),
  )
  const server = new Server({
    privateKey: generatePrivateKey(),
    network: tcpNetwork(rlpx),
    listenAddress: { ip: '127.0.0.1', port: 0 },
    protocols: eth.protocols,
    staticNodes,
    noDiscovery: true,
  })
  await eth.start()
  await server.start()
  const port = server.listenAddress?.port as number
  const node = new Node({ id: server.id, ip: '127.0.0.1', udp: port, tcp: port })
  return { eth, server, node }
}

const a = await startNode('A')
const b = await startNode('B', [a.node])
await new Promise((r) => setTimeout(r, 1_800))
console.log(
  `A's head #${a.eth.backend.chain.head().number}, B's #${b.eth.backend.chain.head().number}`,
)
for (const n of [b, a]) {
  await n.eth.stop()
  await n.server.stop()
}
