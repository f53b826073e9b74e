// A node as node-app wires it: discv4 on UDP + the p2p server over RLPx/TCP, the dial scheduler
// fed by discovery. Three nodes on 127.0.0.1 (any free ports), one of them the bootnode; each
// finds the others through discovery and dials them. Run: `npx tsx examples/local-network.ts`.
import { type Logger, noopLogger, started, useFastCrypto } from '@x/core'
import { Discovery, generatePrivateKey, type Node } from '@x/discover'
import {
  DisconnectReason,
  disconnectReasonText,
  rlpx,
  Server,
  type ServerOptions,
  tcpNetwork,
} from '../src/index.js'
import { demo } from './demo-protocol.js'

interface RunningNode {
  server: Server
  discovery: Discovery | undefined
  stop(): Promise<void>
}

async function startNode(
  name: string,
  bootnodes: Node[],
  options: Partial<ServerOptions> = {},
  log: Logger = noopLogger,
): Promise<RunningNode> {
  const privateKey = generatePrivateKey()
  // 1. The server first: it binds TCP, so discovery can advertise the real port (port 0 here).
  const server = new Server({
    privateKey,
    name,
    network: tcpNetwork(rlpx, { logger: log }),
    listenAddress: { ip: '127.0.0.1', port: 0 },
    protocols: [demo],
    maxPeers: 6,
    bootnodes, // dialed when there are no peers 20 s after start
    logger: log,
    ...options,
  })
  server.addEventListener('peer:added', ({ detail: { peer } }) =>
    console.log(`${name}: peer added ${peer.clientId} ${peer.inbound ? 'inbound' : 'dialed'}`),
  )
  server.addEventListener('peer:removed', ({ detail }) =>
    console.log(
      `${name}: peer dropped ${detail.peer.clientId}: ${disconnectReasonText[detail.reason]}` +
        (detail.remote ? ' (remote)' : ''),
    ),
  )
  await server.start()
  // 2. Discovery with the bound TCP port, then handed to the server's dial scheduler.
  let discovery: Discovery | undefined
  if (!options.noDiscovery) {
    discovery = await started(
      new Discovery({
        privateKey, // the same key: one node ID for discovery and RLPx
        host: '127.0.0.1',
        port: 0,
        tcpPort: server.listenAddress?.port,
        bootnodes,
        ntp: false,
        logger: log,
      }),
    )
    await server.setDiscovery(discovery)
  }
  return {
    server,
    discovery,
    async stop() {
      await server.stop() // every peer gets Disconnect("client quitting")
      await discovery?.stop()
    },
  }
}

await useFastCrypto()
const boot = await startNode('boot', [])
const bootnode = boot.discovery?.self as Node
const nodes = [boot, await startNode('a', [bootnode]), await startNode('b', [bootnode])]
// Wait until the three are fully meshed (each node found the two others): events, no polling.
await new Promise<void>((resolve) => {
  const check = () => {
    if (nodes.every((n) => n.server.peerCount() === 2)) resolve()
  }
  for (const n of nodes) n.server.addEventListener('peer:added', check)
  check()
})
console.log(JSON.stringify(boot.server.nodeInfo(), null, 2))
console.log('reason sent on stop:', disconnectReasonText[DisconnectReason.ClientQuitting])
await Promise.all(nodes.map((n) => n.stop()))
