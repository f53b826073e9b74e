import { encodeList, encodeUint, toHex } from '@x/core'
import { ManualClock } from '@x/core/testing'
import type { Node } from '@x/discover'
import { DisconnectReason, type Server } from '@x/p2p'
import { MemoryNetwork } from '@x/p2p/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  devnet,
  EthHandler,
  type EthVersion,
  encodeBlockRangeUpdate,
  headerHash,
  headerNumber,
  type MemoryBackend,
  MsgCode,
  memoryBackend,
  txHash,
} from '../../src/index.js'
import { memoryServer, untilClock } from '../helpers.js'

interface TestNode {
  server: Server
  eth: EthHandler
  backend: MemoryBackend
  node: Node
  removed: { id: string; reason: DisconnectReason; remote: boolean }[]
}

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})

async function startNode(
  net: MemoryNetwork,
  ip: string,
  clock: ManualClock,
  versions: EthVersion[],
  staticNodes: Node[] = [],
  blocks = 0,
): Promise<TestNode> {
  const backend = memoryBackend(devnet, { clock })
  for (let i = 0; i < blocks; i++) backend.chain.mine()
  const eth = new EthHandler({ backend, chain: devnet, versions, clock })
  const unsubscribe = backend.chain.onBlock((b, td) => eth.broadcastBlock(b, td))
  const { server, node } = memoryServer(net, ip, clock, eth.protocols, staticNodes)
  const removed: TestNode['removed'] = []
  server.addEventListener('peer:removed', (e) =>
    removed.push({ id: e.detail.peer.idHex, reason: e.detail.reason, remote: e.detail.remote }),
  )
  await server.start()
  stops.push(async () => {
    unsubscribe()
    eth.close()
    await server.stop()
  })
  return {
    server,
    eth,
    backend,
    removed,
    node,
  }
}

const idOf = (n: TestNode) => toHex(n.server.id)

describe('eth over two p2p servers', () => {
  it('an eth/68-only peer and an eth/68+69 peer run eth/68 and sync headers both ways', async () => {
    const clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const a = await startNode(net, '10.0.0.1', clock, [68], [], 30)
    const b = await startNode(net, '10.0.0.2', clock, [69, 68], [a.node], 3)
    await untilClock(clock, () => a.eth.peers.len === 1 && b.eth.peers.len === 1, 'eth peers')
    const bSeesA = b.eth.peers.peer(idOf(a))!
    const aSeesB = a.eth.peers.peer(idOf(b))!
    expect(bSeesA.version).toBe(68)
    expect(aSeesB.version).toBe(68)
    expect(bSeesA.head).toEqual({ hash: a.backend.chain.head().hash, td: 31n })

    const headers = await bSeesA.requestHeaders({ origin: 10, amount: 5, skip: 1, reverse: false })
    expect(headers.map(headerNumber)).toEqual([10, 12, 14, 16, 18])
    expect(headers[0]).toEqual(a.backend.chain.headerByNumber(10))

    const byHash = await aSeesB.requestHeaders({
      origin: b.backend.chain.head().hash,
      amount: 10,
      skip: 0,
      reverse: true,
    })
    expect(byHash.map(headerNumber)).toEqual([3, 2, 1, 0])
    const bodies = await aSeesB.requestBodies([b.backend.chain.head().hash])
    expect(bodies).toHaveLength(1)
    const receipts = await aSeesB.requestReceipts([b.backend.chain.head().hash])
    expect(receipts).toEqual([encodeList([])])

    expect(a.server.peersInfo()[0]?.protocols).toMatchObject({ eth: { version: 68 } })
    expect(a.eth.nodeInfo()).toMatchObject({ network: '4242', number: 30, config: 'devnet' })
  })

  it('two eth/69 peers run eth/69 and exchange block ranges', async () => {
    const clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const a = await startNode(net, '10.0.0.1', clock, [69, 68], [], 4)
    const b = await startNode(net, '10.0.0.2', clock, [69, 68], [a.node])
    await untilClock(clock, () => b.eth.peers.len === 1, 'eth peer')
    const bSeesA = b.eth.peers.peer(idOf(a))!
    expect(bSeesA.version).toBe(69)
    expect(bSeesA.blockRange).toMatchObject({ earliestBlock: 0, latestBlock: 4 })
    a.backend.chain.mine()
    await untilClock(clock, () => bSeesA.head.number === 5, 'block range update')
    expect(bSeesA.head.hash).toEqual(a.backend.chain.head().hash)
  })

  it('propagates transactions and eth/68 blocks', async () => {
    const clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const a = await startNode(net, '10.0.0.1', clock, [68])
    const b = await startNode(net, '10.0.0.2', clock, [68], [a.node])
    const c = await startNode(net, '10.0.0.3', clock, [69, 68], [a.node])
    await untilClock(clock, () => a.eth.peers.len === 2, 'eth peers')
    const txs = [
      encodeList([encodeUint(7), encodeUint(1)]),
      Uint8Array.of(0x84, 0x02, 0xc2, 0x01, 0x02),
    ]
    a.eth.broadcastTransactions(a.backend.txPool.add(txs))
    await untilClock(
      clock,
      () => b.backend.txPool.size === 2 && c.backend.txPool.size === 2,
      'transactions',
    )
    expect(b.backend.txPool.has(txHash(txs[0]!))).toBe(true)

    a.backend.chain.mine()
    const hash = headerHash(a.backend.chain.headerByNumber(1)!)
    await untilClock(
      clock,
      () => b.backend.chain.head().number === 1 && c.backend.chain.head().number === 1,
      'block',
    )
    expect(b.backend.chain.head().hash).toEqual(hash)
  })

  it('a malformed message drops that peer only', async () => {
    const clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const a = await startNode(net, '10.0.0.1', clock, [69, 68])
    const b = await startNode(net, '10.0.0.2', clock, [69, 68], [a.node])
    const c = await startNode(net, '10.0.0.3', clock, [69, 68], [a.node])
    await untilClock(clock, () => a.eth.peers.len === 2 && c.eth.peers.len === 1, 'eth peers')
    await c.eth.peers.peer(idOf(a))!.rw.writeMsg(MsgCode.Transactions, Uint8Array.of(0xc3, 0x01))
    await untilClock(clock, () => a.eth.peers.len === 1, 'drop')
    expect(a.eth.peers.peer(idOf(b))).toBeDefined()
    expect(a.removed).toEqual([
      { id: idOf(c), reason: DisconnectReason.BreachOfProtocol, remote: false },
    ])
    const headers = await b.eth.peers
      .peer(idOf(a))!
      .requestHeaders({ origin: 0, amount: 1, skip: 0, reverse: false })
    expect(headers).toHaveLength(1)
  })

  it('an invalid BlockRangeUpdate gets an explicit Disconnect (subprotocol error)', async () => {
    const clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const a = await startNode(net, '10.0.0.1', clock, [69])
    const b = await startNode(net, '10.0.0.2', clock, [69], [a.node])
    await untilClock(clock, () => b.eth.peers.len === 1 && a.eth.peers.len === 1, 'eth peers')
    const bad = encodeBlockRangeUpdate({
      earliestBlock: 9,
      latestBlock: 3,
      latestHash: new Uint8Array(32).fill(1),
    })
    await b.eth.peers.peer(idOf(a))!.rw.writeMsg(MsgCode.BlockRangeUpdate, bad)
    await untilClock(clock, () => b.removed.length === 1, 'disconnect')
    expect(a.removed).toEqual([
      { id: idOf(b), reason: DisconnectReason.SubprotocolError, remote: false },
    ])
    // b received the Disconnect message itself, with that reason.
    expect(b.removed).toEqual([
      { id: idOf(a), reason: DisconnectReason.SubprotocolError, remote: true },
    ])
  })
})
