import { Common, Hardfork, Mainnet } from '@ethereumjs/common'
import { RLPx } from '@ethereumjs/devp2p'
import { generatePrivateKey, Node, nodeIdFromPrivateKey } from '@x/discover'
import { describe, expect, it } from 'vitest'
import {
  DisconnectReason,
  type MsgEvent,
  pongCode,
  rlpx,
  Server,
  tcpNetwork,
} from '../../src/index.js'
import { useCleanups } from '../cleanups.js'
import { EjsXtest, ejsXtestCap, ourXtest } from './xtest.js'

// Interop with @ethereumjs/devp2p: both directions, the shared xtest/1 capability,
// and several of our base ping rounds (200 ms here) answered by ethereumjs.

interface EjsPeerLike {
  getId(): Uint8Array | null
  getProtocols(): unknown[]
  _hello: { clientId: string } | null
}

const cleanups = useCleanups()

function ejsNode() {
  const key = generatePrivateKey()
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague })
  const node = new RLPx(key, {
    dpt: null,
    maxPeers: 10,
    capabilities: [ejsXtestCap as never],
    common,
    listenPort: null,
  })
  cleanups.push(() => node.destroy())
  const added = new Promise<EjsPeerLike>((resolve) =>
    node.events.once('peer:added', (p) => resolve(p as unknown as EjsPeerLike)),
  )
  const removed = new Promise<{ reason: number }>((resolve) =>
    node.events.once('peer:removed', (_p: unknown, reason: number) => resolve({ reason })),
  )
  node.events.on('peer:error', () => {})
  return { key, id: nodeIdFromPrivateKey(key), rlpx: node, added, removed }
}

function ourServer(listen: boolean, staticNodes: Node[] = []) {
  let pongs = 0
  let onPong: (() => void) | undefined
  let xtestOk!: (ok: number) => void
  const xtestDone = new Promise<number>((r) => {
    xtestOk = r
  })
  const server = new Server({
    privateKey: generatePrivateKey(),
    name: 'x-interop',
    network: tcpNetwork(rlpx),
    listenAddress: listen ? { ip: '127.0.0.1', port: 0 } : null,
    protocols: [ourXtest(5, (ok) => xtestOk(ok))],
    staticNodes,
    pingInterval: 200,
    idleTimeout: 1_000,
    onMessage: (e: MsgEvent) => {
      if (e.direction === 'received' && e.protocol === 'p2p' && e.code === pongCode) {
        pongs++
        onPong?.()
      }
    },
  })
  cleanups.push(() => server.stop())
  const pongsReach = (n: number) =>
    new Promise<void>((resolve) => {
      onPong = () => {
        if (pongs >= n) resolve()
      }
      onPong()
    })
  return { server, xtestDone, pongsReach }
}

async function exchange(
  ejs: ReturnType<typeof ejsNode>,
  ours: ReturnType<typeof ourServer>,
  inbound: boolean,
) {
  const peer = await ejs.added
  expect(peer._hello?.clientId).toBe('x-interop')
  expect(await ours.xtestDone).toBe(5)
  const proto = peer.getProtocols()[0] as EjsXtest
  expect(proto).toBeInstanceOf(EjsXtest)
  expect(proto.pings).toBe(5)
  // ethereumjs pings us on xtest: we answer.
  proto.ping()
  proto.ping()
  // Several of our base ping rounds, each answered: the link stays up.
  await ours.pongsReach(4)
  expect(proto.pongs).toBe(2)
  const [p] = ours.server.peers()
  expect(p?.inbound).toBe(inbound)
  expect(ours.server.peerCount()).toBe(1)
  await ours.server.stop()
  expect((await ejs.removed).reason).toBe(DisconnectReason.ClientQuitting)
}

describe('interop with @ethereumjs/devp2p', () => {
  it('we dial ethereumjs', async () => {
    const ejs = ejsNode()
    ejs.rlpx.listen(0, '127.0.0.1')
    await new Promise<void>((r) => ejs.rlpx.events.once('listening', () => r()))
    const port = (
      ejs.rlpx as unknown as { _server: { address(): { port: number } } }
    )._server.address().port
    const ours = ourServer(false, [new Node({ id: ejs.id, ip: '127.0.0.1', udp: port, tcp: port })])
    await ours.server.start()
    await exchange(ejs, ours, false)
  })

  it('ethereumjs dials us', async () => {
    const ejs = ejsNode()
    const ours = ourServer(true)
    await ours.server.start()
    const port = ours.server.listenAddress?.port as number
    await ejs.rlpx.connect({ id: ours.server.id, address: '127.0.0.1', tcpPort: port })
    await exchange(ejs, ours, true)
  })
})
