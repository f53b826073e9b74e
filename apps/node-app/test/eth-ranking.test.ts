import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger, toHex } from '@x/core'
import { generatePrivateKey, nodeIdFromPrivateKey } from '@x/discover'
import { EthPeer, localStatus } from '@x/eth'
import type { MsgReadWriter, ProtocolPeer } from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.js'
import { AppNode } from '../src/node.js'

// The node hands its health tracker's ranking to eth: the fetchers ask healthy, fast peers first.

let dir: string | undefined
let node: AppNode | undefined
afterEach(async () => {
  await node?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** An eth peer on a link that is never used (the ranking is all this test reads). */
function idlePeer(status: ReturnType<typeof localStatus>): EthPeer {
  const id = nodeIdFromPrivateKey(generatePrivateKey())
  const ac = new AbortController()
  const peer: ProtocolPeer = {
    id,
    idHex: toHex(id),
    clientId: 'test',
    caps: [],
    remoteAddress: { ip: '127.0.0.1', port: 30303 },
    inbound: true,
    signal: ac.signal,
    disconnect: () => ac.abort(),
  }
  const rw: MsgReadWriter = {
    readMsg: () => new Promise(() => {}),
    writeMsg: () => Promise.resolve(),
  }
  return new EthPeer(peer, rw, 69, status)
}

describe("eth's peer ranking is the health tracker's", () => {
  it('ranks the faster healthy peer first, and the other once it fails', async () => {
    dir = await mkdtemp(join(tmpdir(), 'x-rank-'))
    const config = parseConfig([
      '--datadir',
      dir,
      '--port',
      '0',
      '--nodiscover',
      '--network',
      'devnet',
    ])
    if (config === 'help') throw new Error('unreachable')
    node = new AppNode(config, createLogger({ level: 'error', format: 'json', write: () => {} }))
    await node.start()
    const { eth, health } = node.running!
    const h = eth.handler.handshakeOptions(69)
    const status = localStatus(h)
    const a = idlePeer(status)
    const b = idlePeer(status)
    eth.peers.register(a)
    eth.peers.register(b)
    health.tracker.recordRtt(a.id, 80, 'ping/1')
    health.tracker.recordRtt(b.id, 10, 'ping/1')
    expect(eth.peers.ranked().map((p) => p.id)).toEqual([b.id, a.id])
    expect(eth.peers.bestPeer()).toBe(b)
    health.tracker.recordFailure(b.id, 'link-failed')
    expect(eth.peers.ranked().map((p) => p.id)).toEqual([a.id, b.id])
    expect(eth.peers.bestPeer()).toBe(a)
    eth.peers.unregister(a.id)
    eth.peers.unregister(b.id)
  })
})
