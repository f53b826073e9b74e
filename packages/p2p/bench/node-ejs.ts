// ethereumjs's side of the session benchmarks, on @ethereumjs/devp2p's public API as its users
// (the ethereumjs client) drive it: an `RLPx` with the `ETH.eth68` capability listens or
// connects; on `peer:added` both ends send their ETH Status (ETH disconnects a peer that has
// not exchanged Status within 5 s); messages go through `ETH.sendMessage`, which RLP-encodes
// and snappy-compresses (the hello says p2p/5), and arrive decoded on the ETH `message` event.

import { createServer } from 'node:net'
import { Common, Hardfork, Mainnet } from '@ethereumjs/common'
import { DISCONNECT_REASON, ETH, type Peer, RLPx } from '@ethereumjs/devp2p'
import { generatePrivateKey, nodeIdFromPrivateKey } from '@x/discover'
import type { BenchNode, BenchSession, DialOptions } from './node.ts'

const noop = () => {}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague })
const status = {
  td: Uint8Array.of(0x0c, 0x70, 0xd8, 0x15, 0xd5, 0x62, 0xd3, 0xcf, 0xa9, 0x55),
  bestHash: new Uint8Array(32).fill(7),
  // Mainnet's genesis hash (both ends must agree; ethereumjs checks it against its own).
  genesisHash: Buffer.from(
    'd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3',
    'hex',
  ),
}

function newRlpx(key: Uint8Array, maxPeers: number, listenPort: number | null): RLPx {
  const r = new RLPx(key, {
    dpt: null,
    maxPeers,
    capabilities: [ETH.eth68],
    common,
    listenPort,
    clientId: new TextEncoder().encode('ejs-bench'),
  })
  r.events.on('peer:error', noop)
  r.events.on('error', noop)
  return r
}

/** An ETH session on `peer`, once both Status messages are exchanged. */
function ethSession(r: RLPx, peer: Peer): Promise<BenchSession> {
  const eth = peer.getProtocols()[0] as ETH
  const id = hex(peer.getId() as Uint8Array)
  const closed = removed(r, peer)
  // Messages that arrive before the consumer sets `onMessage` wait for it: ETH emits `status`
  // and the messages after it in one socket chunk before a promise continuation can run.
  let handler: ((code: number, payload: Uint8Array) => void) | undefined
  const early: [number, Uint8Array][] = []
  const session: BenchSession = {
    get onMessage() {
      return handler ?? noop
    },
    set onMessage(fn) {
      handler = fn
      for (const [code, payload] of early.splice(0)) fn(code, payload)
    },
    send: (code, payload) => eth.sendMessage(code as never, [payload]),
    disconnect: () => peer.disconnect(DISCONNECT_REASON.CLIENT_QUITTING),
    closed,
  }
  eth.events.on('message', (code: number, decoded: unknown) => {
    const item = Array.isArray(decoded) ? decoded[0] : undefined
    if (!(item instanceof Uint8Array)) throw new Error(`message ${code} from ${id}: not [bytes]`)
    if (handler) handler(code, item)
    else if (early.push([code, item]) > 100_000) throw new Error('no consumer for messages')
  })
  return new Promise((resolve, reject) => {
    eth.events.once('status', () => resolve(session))
    closed.then(() => reject(new Error('peer removed before ETH status')))
    eth.sendStatus(status)
  })
}

/** Settles when `r` removes `peer`. */
function removed(r: RLPx, peer: Peer): Promise<void> {
  return new Promise<void>((resolve) => {
    const on = (p: Peer) => {
      if (p !== peer) return
      r.events.off('peer:removed', on)
      resolve()
    }
    r.events.on('peer:removed', on)
  })
}

/** Resolves with the next `peer:added` whose remote is `id`. */
function added(r: RLPx, id: Uint8Array): Promise<Peer> {
  const want = hex(id)
  return new Promise((resolve) => {
    const on = (peer: Peer) => {
      if (hex(peer.getId() as Uint8Array) !== want) return
      r.events.off('peer:added', on)
      resolve(peer)
    }
    r.events.on('peer:added', on)
  })
}

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as { port: number }
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

export function ejsNode(): BenchNode {
  const privateKey = generatePrivateKey()
  const self = newRlpx(privateKey, 4, null)
  const extra: RLPx[] = [] // one per fresh-key dial: an RLPx has one identity
  let listener: RLPx | undefined
  let outbound = 0
  const node: BenchNode = {
    impl: 'ethereumjs',
    id: nodeIdFromPrivateKey(privateKey),
    onSession: noop,
    onRemoved: noop,
    async listen(maxPeers) {
      const port = await freePort()
      self.destroy()
      listener = newRlpx(privateKey, maxPeers, port)
      const l = listener
      l.events.on('peer:added', (peer: Peer) => {
        ethSession(l, peer).then((s) => node.onSession(s), noop)
      })
      l.events.on('peer:removed', () => node.onRemoved())
      const listening = new Promise<void>((r) => l.events.once('listening', () => r()))
      l.listen(port, '127.0.0.1')
      await listening
      return port
    },
    async dial(id, port, options: DialOptions) {
      let r = self
      if (options.freshKey) {
        r = newRlpx(generatePrivateKey(), 1, null)
        extra.push(r)
      }
      const peerAdded = added(r, id)
      await r.connect({ id, address: '127.0.0.1', tcpPort: port })
      const peer = await peerAdded
      outbound++
      let session: BenchSession
      if (options.ready === 'hello') {
        session = {
          onMessage: noop,
          send: () => Promise.reject(new Error('hello-only session')),
          disconnect: () => peer.disconnect(DISCONNECT_REASON.CLIENT_QUITTING),
          closed: removed(r, peer),
        }
      } else session = await ethSession(r, peer)
      void session.closed.then(() => {
        outbound--
      })
      return session
    },
    sessionCount: () => (listener?.getPeers().length ?? 0) + outbound,
    async stop() {
      for (const r of [listener ?? self, ...extra]) {
        try {
          r.destroy()
        } catch {
          // already destroyed
        }
      }
    },
  }
  return node
}
