// Servers that run discovery v4 themselves (`discoveryV4`, go-ethereum's p2p.Config shape): no
// Discovery to start and hand over. Three nodes on 127.0.0.1 (any free ports); the first is the
// bootnode of the others, which find each other through it. The bootnode keeps its node
// database in a temporary directory, restarts on it, and rejoins without bootnodes.
// Run: `npx tsx examples/server-discovery.ts`.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sleep, systemClock, useFastCrypto } from '@x/core'
import { generatePrivateKey } from '@x/discover'
import { rlpx, Server, tcpNetwork } from '../src/index.js'
import { demo } from './demo-protocol.js'

function node(name: string, privateKey: Uint8Array, bootnodes: string[], nodeDatabase?: string) {
  return new Server({
    privateKey,
    name,
    network: tcpNetwork(rlpx),
    listenAddress: { ip: '127.0.0.1', port: 0 }, // TCP on any port; UDP then on any port too
    protocols: [demo],
    bootnodes, // enode:// URLs or enr: records (or Nodes)
    discoveryV4: {
      nodeDatabase, // LevelDB directory; in memory when undefined
      ntp: false, // no clock-drift check against pool.ntp.org
      maintenance: { revalidateIntervalMs: 100, copyNodesIntervalMs: 100, seedMinTableTimeMs: 0 },
    },
  })
}

/** Resolves once every server has `n` peers (events, no polling). */
function meshed(servers: Server[], n: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (servers.every((s) => s.peerCount() >= n)) resolve()
    }
    for (const s of servers) s.addEventListener('peer:added', check)
    check()
  })
}

await useFastCrypto()
const dir = await mkdtemp(join(tmpdir(), 'server-discovery-'))
const bootKey = generatePrivateKey()
const boot = node('boot', bootKey, [], join(dir, 'nodes'))
await boot.start() // TCP listener, node database, discovery on UDP, dialer
const info = boot.nodeInfo()
console.log('boot:', info.enode, info.enr)
const a = node('a', generatePrivateKey(), [info.enode])
const b = node('b', generatePrivateKey(), [info.enr as string])
await Promise.all([a.start(), b.start()])
await meshed([boot, a, b], 2)
console.log('meshed; boot table:', boot.discovery?.stats())
console.log(
  'boot peers:',
  boot.peersInfo().map((p) => ({ name: p.name, enr: p.enr?.slice(0, 24) })),
)

// Restart the bootnode on its database: it rejoins the others without any bootnode. Its table
// starts from the nodes its database holds.
while ((boot.discovery?.db.size ?? 0) < 2) await sleep(systemClock, 100)
await boot.stop() // peers get Disconnect(client quitting), then the database is flushed and closed
const again = node('boot', bootKey, [], join(dir, 'nodes'))
await again.start()
console.log('restarted; nodes in the database:', again.discovery?.db.size)
await meshed([again], 2)
console.log(
  'rejoined:',
  again.peersInfo().map((p) => p.name),
)
await Promise.all([again, a, b].map((s) => s.stop()))
await rm(dir, { recursive: true, force: true })
