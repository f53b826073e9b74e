import { readFileSync } from 'node:fs'
import { encodeBytes, encodeList, encodeUint, fromHex } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { DisconnectReason, type MsgReadWriter } from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import { devnet } from '../src/chain.js'
import type { EthError } from '../src/errors.js'
import { EthHandler } from '../src/handler.js'
import { handshake } from '../src/handshake.js'
import {
  decodeGetPooledTransactions,
  type EthVersion,
  encodeNewPooledTransactionHashes,
  encodePooledTransactions,
  encodeTransactions,
  MsgCode,
  txHash,
} from '../src/index.js'
import { memoryBackend } from '../src/memory-backend.js'
import { txArriveTimeout } from '../src/tx-fetcher.js'
import { fakePeer, rwPair } from './helpers.js'

// Delivered transactions as go-ethereum's eth/handler_eth.go and tx fetcher judge them, on the
// handler over in-memory pipes.

const closers: (() => void)[] = []
afterEach(() => {
  for (const c of closers.splice(0)) c()
})

const blobForms = JSON.parse(
  readFileSync(new URL('./fixtures/blob-tx.json', import.meta.url), 'utf8'),
) as { v1: { withoutBlobs: string; withoutBlobsSize: number } }
/** go-ethereum's eth/72 form of a signed blob transaction, as it sits in a message. */
const blobTx72 = encodeBytes(fromHex(blobForms.v1.withoutBlobs.slice(2)))

async function handlerWith(version: EthVersion, remotes: number) {
  const clock = new ManualClock()
  const backend = memoryBackend(devnet, { clock })
  const handler = new EthHandler({ backend, chain: devnet, clock })
  const conns = []
  for (let i = 0; i < remotes; i++) {
    const [ours, remote] = rwPair()
    closers.push(() => {
      ours.close()
      remote.close()
    })
    const peer = fakePeer()
    const run = handler.run(version, peer, ours, new AbortController().signal).catch((e) => e)
    await handshake(remote as MsgReadWriter, handler.handshakeOptions(version))
    conns.push({ remote, peer, run })
  }
  for (let i = 0; i < 20 && handler.peers.len < remotes; i++) await Promise.resolve()
  return { clock, backend, handler, conns }
}

const ann = (tx: Uint8Array, type: number, size: number, version: EthVersion) =>
  encodeNewPooledTransactionHashes(
    { types: Uint8Array.of(type), sizes: [size], hashes: [txHash(tx)] },
    version,
  )

describe('transactions delivered by peers', () => {
  it('a blob transaction in a Transactions message drops the peer', async () => {
    const { conns, handler } = await handlerWith(72, 1)
    const c = conns[0]!
    await c.remote.writeMsg(MsgCode.Transactions, encodeTransactions([blobTx72]))
    expect(((await c.run) as EthError).code).toBe('ERR_BLOB_TX_BROADCAST')
    expect(handler.peers.len).toBe(0)
  })

  it('an announcer whose type or size disagrees with the delivered transaction is dropped (useless peer), an honest one stays', async () => {
    const tx = encodeList([encodeUint(1), encodeBytes(new Uint8Array(40))])
    const { conns, clock, backend, handler } = await handlerWith(70, 3)
    const [honest, liarSize, liarType] = conns as [
      (typeof conns)[0],
      (typeof conns)[0],
      (typeof conns)[0],
    ]
    await honest.remote.writeMsg(MsgCode.NewPooledTransactionHashes, ann(tx, 0, tx.length, 70))
    await liarSize.remote.writeMsg(
      MsgCode.NewPooledTransactionHashes,
      ann(tx, 0, tx.length + 9, 70),
    )
    await liarType.remote.writeMsg(MsgCode.NewPooledTransactionHashes, ann(tx, 2, tx.length, 70))
    await clock.advance(txArriveTimeout)
    const msg = await honest.remote.readMsg()
    expect(msg.code).toBe(MsgCode.GetPooledTransactions)
    const req = decodeGetPooledTransactions(msg.payload)
    await honest.remote.writeMsg(
      MsgCode.PooledTransactions,
      encodePooledTransactions({ requestId: req.requestId, txs: [tx] }),
    )
    for (let i = 0; i < 20 && !backend.txPool.has(txHash(tx)); i++) await Promise.resolve()
    expect(backend.txPool.has(txHash(tx))).toBe(true)
    expect(liarSize.peer.reason).toBe(DisconnectReason.UselessPeer)
    expect(liarType.peer.reason).toBe(DisconnectReason.UselessPeer)
    expect(honest.peer.reason).toBeUndefined()
    expect(handler.peers.len).toBeGreaterThanOrEqual(1)
  })

  it('eth/72: a blob transaction announced with its size without blobs and delivered so is accepted; one with blobs drops the peer', async () => {
    const { conns, clock, backend } = await handlerWith(72, 1)
    const c = conns[0]!
    await c.remote.writeMsg(
      MsgCode.NewPooledTransactionHashes,
      ann(blobTx72, 3, blobForms.v1.withoutBlobsSize, 72),
    )
    await clock.advance(txArriveTimeout)
    const req = decodeGetPooledTransactions((await c.remote.readMsg()).payload)
    await c.remote.writeMsg(
      MsgCode.PooledTransactions,
      encodePooledTransactions({ requestId: req.requestId, txs: [blobTx72] }),
    )
    for (let i = 0; i < 20 && !backend.txPool.has(txHash(blobTx72)); i++) await Promise.resolve()
    expect(backend.txPool.has(txHash(blobTx72))).toBe(true)
    expect(c.peer.reason).toBeUndefined()
  })
})

describe('responses nobody asked for', () => {
  it('an unsolicited PooledTransactions drops the peer and adds nothing to the pool', async () => {
    const { conns, backend, handler } = await handlerWith(69, 1)
    const c = conns[0]!
    const tx = encodeList([encodeUint(9)])
    await c.remote.writeMsg(
      MsgCode.PooledTransactions,
      encodePooledTransactions({ requestId: 12345n, txs: [tx] }),
    )
    expect(((await c.run) as EthError).code).toBe('ERR_UNEXPECTED_RESPONSE')
    expect(backend.txPool.has(txHash(tx))).toBe(false)
    expect(handler.peers.len).toBe(0)
  })
})
