// Our side of the session benchmarks, on @x/p2p's public API as an application uses it (the
// built package, as installed): a `Server` listening with `tcpNetwork(rlpx)` and a sub-protocol,
// `connectPeer` to dial. Snappy is on (both hellos say p2p/5). The protocol's messages are sent
// with `send` (RLP-encoded) and decoded with `decodeRlp`, as a real protocol would.
import { decodeRlp, nobleCrypto, setCrypto, useFastCrypto } from '@x/core'
import { generatePrivateKey, Node, nodeIdFromPrivateKey } from '@x/discover'
import {
  connectPeer,
  DisconnectReason,
  type MsgReadWriter,
  type Protocol,
  type ProtocolPeer,
  readMsgs,
  rlpx,
  Server,
  send,
  tcpNetwork,
} from '@x/p2p'
import type { BenchNode, BenchSession, DialOptions, Impl } from './node.ts'

const noop = () => {}

class OursSession implements BenchSession {
  onMessage: (code: number, payload: Uint8Array) => void = noop
  readonly closed: Promise<void>
  #close!: () => void

  constructor(
    private readonly peer: ProtocolPeer,
    private readonly rw: MsgReadWriter,
  ) {
    this.closed = new Promise((r) => {
      this.#close = r
    })
  }

  send(code: number, payload: Uint8Array): Promise<void> {
    return send(this.rw, code, [payload])
  }

  disconnect(): void {
    this.peer.disconnect(DisconnectReason.ClientQuitting)
  }

  async read(signal: AbortSignal): Promise<void> {
    try {
      for await (const msg of readMsgs(this.rw, signal)) {
        const list = decodeRlp(msg.payload)
        const item = Array.isArray(list) ? list[0] : undefined
        if (!(item instanceof Uint8Array)) throw new Error(`message ${msg.code}: not [bytes]`)
        this.onMessage(msg.code, item)
      }
    } catch (error) {
      if (!signal.aborted) throw error
    }
  }

  ended(): void {
    this.#close()
  }
}

export async function oursNode(impl: Impl): Promise<BenchNode> {
  if (impl === 'ours-fast') await useFastCrypto()
  else setCrypto(nobleCrypto)
  const privateKey = generatePrivateKey()
  const network = tcpNetwork(rlpx)
  const inbound = new Map<string, OursSession>()
  let server: Server | undefined
  let outbound = 0

  /** eth/68's name, version and length (so the caps match ethereumjs's); runs `[bytes]` messages. */
  const protocol = (started: (peer: ProtocolPeer, s: OursSession) => void): Protocol => ({
    name: 'eth',
    version: 68,
    length: 17,
    async run(peer, rw, signal) {
      const session = new OursSession(peer, rw)
      started(peer, session)
      await session.read(signal)
    },
  })

  const node: BenchNode = {
    impl,
    id: nodeIdFromPrivateKey(privateKey),
    onSession: noop,
    onRemoved: noop,
    async listen(maxPeers) {
      server = new Server({
        privateKey,
        name: 'x-bench',
        network,
        listenAddress: { ip: '127.0.0.1', port: 0 },
        protocols: [
          protocol((peer, s) => {
            inbound.set(peer.idHex, s)
            node.onSession(s)
          }),
        ],
        maxPeers,
        maxPendingPeers: 64,
        noDial: true,
        noDiscovery: true,
      })
      server.addEventListener('peer:removed', (e) => {
        const s = inbound.get(e.detail.peer.idHex)
        inbound.delete(e.detail.peer.idHex)
        s?.ended()
        node.onRemoved()
      })
      await server.start()
      return server.listenAddress?.port as number
    },
    async dial(id, port, options: DialOptions) {
      const key = options.freshKey ? generatePrivateKey() : privateKey
      const remote = new Node({ id, ip: '127.0.0.1', tcp: port, udp: port })
      let start!: (s: OursSession) => void
      const started = new Promise<OursSession>((r) => {
        start = r
      })
      const peer = await connectPeer({
        privateKey: key,
        node: remote,
        protocols: [protocol((_p, s) => start(s))],
        clientId: 'x-bench',
        network,
      })
      outbound++
      const running = peer.run().finally(() => {
        outbound--
      })
      if (options.ready === 'hello') {
        return {
          onMessage: noop,
          send: () => Promise.reject(new Error('hello-only session')),
          disconnect: () => peer.disconnect(DisconnectReason.ClientQuitting),
          closed: running.then(noop),
        }
      }
      const session = await started
      void running.then(() => session.ended())
      return session
    },
    sessionCount: () => inbound.size + outbound,
    async stop() {
      await server?.stop()
    },
  }
  return node
}
