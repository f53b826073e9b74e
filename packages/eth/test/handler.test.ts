import { encodeList, encodeUint } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { DisconnectError, DisconnectReason, type MsgReadWriter } from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import { devnet } from '../src/chain.js'
import { EthError } from '../src/errors.js'
import { EthHandler } from '../src/handler.js'
import { handshake } from '../src/handshake.js'
import {
  decodeBlockHeaders,
  decodeGetPooledTransactions,
  decodeNewPooledTransactionHashes,
  decodeTransactions,
  type EthVersion,
  encodeBlockRangeUpdate,
  encodeGetBlockHeaders,
  encodeNewPooledTransactionHashes,
  encodePooledTransactions,
  encodeTransactions,
  MsgCode,
  maxMessageSize,
  txHash,
} from '../src/index.js'
import { memoryBackend } from '../src/memory-backend.js'
import { ethProtocols } from '../src/protocol.js'
import { txArriveTimeout } from '../src/tx-fetcher.js'
import { fakePeer, rwPair } from './helpers.js'

const closers: (() => void)[] = []
afterEach(() => {
  for (const c of closers.splice(0)) c()
})

/** Runs the handler on one end of a pipe; the test drives the other end as the remote. */
async function connect(version: EthVersion) {
  const clock = new ManualClock()
  const backend = memoryBackend(devnet, { clock })
  for (let i = 0; i < 8; i++) backend.chain.mine()
  const handler = new EthHandler({ backend, chain: devnet, clock })
  return { ...(await attach(handler, version, clock)), handler, backend, clock }
}

/** Runs one more remote peer on `handler`. */
async function attach(handler: EthHandler, version: EthVersion, clock: ManualClock) {
  const registered = handler.peers.len + 1
  const [ours, remote] = rwPair()
  closers.push(() => {
    ours.close()
    remote.close()
  })
  const peer = fakePeer()
  const ac = new AbortController()
  const run = handler.run(version, peer, ours, ac.signal).then(
    () => undefined,
    (e: unknown) => e,
  )
  // The remote side: a node of the same devnet at genesis.
  const remoteOpts = new EthHandler({
    backend: memoryBackend(devnet),
    chain: devnet,
    clock,
  }).handshakeOptions(version)
  await handshake(remote as MsgReadWriter, remoteOpts)
  for (let i = 0; i < 10 && handler.peers.len < registered; i++) await Promise.resolve()
  return { remote, run, peer }
}

describe('EthHandler', () => {
  it("offers go-ethereum v1.17's eth/72 to eth/69 with their lengths, eth/68 on request", () => {
    const protocols = ethProtocols({ backend: memoryBackend(devnet), chain: devnet })
    expect(protocols.map((p) => [p.name, p.version, p.length])).toEqual([
      ['eth', 72, 22],
      ['eth', 71, 20],
      ['eth', 70, 18],
      ['eth', 69, 18],
    ])
    const old = ethProtocols({ backend: memoryBackend(devnet), chain: devnet, versions: [68] })
    expect(old.map((p) => [p.version, p.length])).toEqual([[68, 17]])
  })

  it('registers the peer after the handshake and serves headers', async () => {
    const { handler, remote } = await connect(68)
    expect(handler.peers.len).toBe(1)
    await remote.writeMsg(
      MsgCode.GetBlockHeaders,
      encodeGetBlockHeaders({ requestId: 99n, origin: 8, amount: 3, skip: 0, reverse: true }),
    )
    const msg = await remote.readMsg()
    expect(msg.code).toBe(MsgCode.BlockHeaders)
    const r = decodeBlockHeaders(msg.payload)
    expect(r.requestId).toBe(99n)
    expect(r.headers).toHaveLength(3)
  })

  it('announces its pending transactions to a new peer', async () => {
    const tx = encodeList([encodeUint(1)])
    const backend = memoryBackend(devnet)
    backend.txPool.add([tx])
    const handler = new EthHandler({ backend, chain: devnet })
    const [ours, theirs] = rwPair()
    closers.push(() => {
      ours.close()
      theirs.close()
    })
    void handler.run(68, fakePeer(), ours, new AbortController().signal).catch(() => {})
    await handshake(theirs, handler.handshakeOptions(68))
    const msg = await theirs.readMsg()
    expect(msg.code).toBe(MsgCode.NewPooledTransactionHashes)
    expect(decodeNewPooledTransactionHashes(msg.payload).hashes).toHaveLength(1)
  })

  const fails = async (version: EthVersion, code: number, payload: Uint8Array) => {
    const { handler, remote, run } = await connect(version)
    await remote.writeMsg(code, payload)
    const err = await run
    expect(handler.peers.len).toBe(0)
    return err
  }

  it('drops a peer that sends a second status', async () => {
    const err = await fails(68, MsgCode.Status, encodeList([]))
    expect((err as EthError).code).toBe('ERR_EXTRA_STATUS_MSG')
  })

  it('drops a peer that sends a code its version does not have', async () => {
    expect(((await fails(69, MsgCode.NewBlock, encodeList([]))) as EthError).code).toBe(
      'ERR_INVALID_MSG_CODE',
    )
    expect(((await fails(68, MsgCode.BlockRangeUpdate, encodeList([]))) as EthError).code).toBe(
      'ERR_INVALID_MSG_CODE',
    )
  })

  it('drops a peer that sends a malformed message: breach of protocol, ERR_DECODE as cause', async () => {
    const err = await fails(68, MsgCode.GetBlockHeaders, Uint8Array.of(0xc1, 0xff))
    expect(err).toBeInstanceOf(DisconnectError)
    expect((err as DisconnectError).reason).toBe(DisconnectReason.BreachOfProtocol)
    expect((err as DisconnectError).cause).toBeInstanceOf(EthError)
    expect(((err as DisconnectError).cause as EthError).code).toBe('ERR_DECODE')
  })

  it('drops a peer that sends a message over 10 MiB', async () => {
    const err = await fails(68, MsgCode.Transactions, new Uint8Array(maxMessageSize + 1))
    expect((err as EthError).code).toBe('ERR_MSG_TOO_LARGE')
  })

  it('disconnects explicitly on an invalid BlockRangeUpdate', async () => {
    const bad = encodeBlockRangeUpdate({
      earliestBlock: 9,
      latestBlock: 3,
      latestHash: new Uint8Array(32).fill(1),
    })
    const err = await fails(69, MsgCode.BlockRangeUpdate, bad)
    expect(err).toBeInstanceOf(DisconnectError)
    expect((err as DisconnectError).reason).toBe(DisconnectReason.SubprotocolError)
    expect(((err as DisconnectError).cause as EthError).code).toBe('ERR_INVALID_BLOCK_RANGE')
  })

  it('accepts a valid BlockRangeUpdate', async () => {
    const { handler, remote } = await connect(69)
    const hash = new Uint8Array(32).fill(1)
    await remote.writeMsg(
      MsgCode.BlockRangeUpdate,
      encodeBlockRangeUpdate({ earliestBlock: 0, latestBlock: 12, latestHash: hash }),
    )
    const peer = handler.peers.all()[0]!
    for (let i = 0; i < 10 && peer.head.number !== 12; i++) await Promise.resolve()
    expect(peer.head).toEqual({ hash, number: 12 })
  })

  it('requests announced transactions after the arrival wait, unless they arrived meanwhile', async () => {
    const { handler, remote, clock, backend } = await connect(68)
    const pooled: { txs: Uint8Array[]; fetched: boolean }[] = []
    handler.addEventListener('txs:pooled', (e) => pooled.push(e.detail))
    const a = encodeList([encodeUint(1)])
    const b = encodeList([encodeUint(2)])
    await remote.writeMsg(
      MsgCode.NewPooledTransactionHashes,
      encodeNewPooledTransactionHashes({
        types: Uint8Array.of(0, 0),
        sizes: [a.length, b.length],
        hashes: [txHash(a), txHash(b)],
      }),
    )
    await clock.advance(txArriveTimeout - 1)
    backend.txPool.add([b])
    await clock.advance(1)
    const msg = await remote.readMsg()
    expect(msg.code).toBe(MsgCode.GetPooledTransactions)
    const req = decodeGetPooledTransactions(msg.payload)
    expect(req.hashes).toEqual([txHash(a)])
    await remote.writeMsg(
      MsgCode.PooledTransactions,
      encodePooledTransactions({ requestId: req.requestId, txs: [a] }),
    )
    for (let i = 0; i < 10 && !backend.txPool.has(txHash(a)); i++) await Promise.resolve()
    expect(backend.txPool.has(txHash(a))).toBe(true)
    // Told apart from a broadcast: it answers our request.
    expect(pooled).toEqual([{ peer: handler.peers.all()[0], txs: [a], fetched: true }])
  })

  it('propagates received transactions on the next tick, not to peers that announced them meanwhile', async () => {
    const { handler, remote: first, clock, backend } = await connect(68)
    const second = (await attach(handler, 68, clock)).remote
    const pooled: { txs: Uint8Array[]; fetched: boolean }[] = []
    handler.addEventListener('txs:pooled', (e) => pooled.push(e.detail))
    const a = encodeList([encodeUint(1)])
    const b = encodeList([encodeUint(2)])
    await first.writeMsg(MsgCode.Transactions, encodeTransactions([a, b]))
    for (let i = 0; i < 20 && !backend.txPool.has(txHash(b)); i++) await Promise.resolve()
    expect(backend.txPool.has(txHash(b))).toBe(true)
    expect(pooled).toMatchObject([{ txs: [a, b], fetched: false }])
    // Before the tick, the second peer announces b: it must not be sent b in full.
    await second.writeMsg(
      MsgCode.NewPooledTransactionHashes,
      encodeNewPooledTransactionHashes({
        types: Uint8Array.of(0),
        sizes: [b.length],
        hashes: [txHash(b)],
      }),
    )
    const peer = handler.peers.all()[1]!
    for (let i = 0; i < 20 && !peer.knowsTransaction(txHash(b)); i++) await Promise.resolve()
    await clock.advance(0)
    const msg = await second.readMsg()
    expect(msg.code).toBe(MsgCode.Transactions)
    expect(decodeTransactions(msg.payload)).toEqual([a])
  })

  it('refuses a peer beyond maxPeers with too many peers, a second run of one with already connected', async () => {
    const backend = memoryBackend(devnet)
    const handler = new EthHandler({ backend, chain: devnet, maxPeers: 1 })
    const start = async (peer: ReturnType<typeof fakePeer>) => {
      const [ours, theirs] = rwPair()
      closers.push(() => {
        ours.close()
        theirs.close()
      })
      const run = handler.run(68, peer, ours, new AbortController().signal).catch((e: unknown) => e)
      await handshake(theirs, handler.handshakeOptions(68))
      return run
    }
    const first = fakePeer()
    void start(first)
    for (let i = 0; i < 10 && handler.peers.len === 0; i++) await Promise.resolve()
    expect(handler.peers.len).toBe(1)
    const again = (await start(first)) as DisconnectError
    expect(again.reason).toBe(DisconnectReason.AlreadyConnected)
    const other = (await start(fakePeer())) as DisconnectError
    expect(other.reason).toBe(DisconnectReason.TooManyPeers)
    expect(handler.peers.len).toBe(1)
  })

  it('refuses peers once closed', async () => {
    const { handler, peer } = await connect(68)
    handler.close()
    expect(peer.reason).toBe(DisconnectReason.ClientQuitting)
  })
})
