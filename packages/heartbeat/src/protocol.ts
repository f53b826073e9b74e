import { equalBytes, type Logger, noopLogger, TypedEventTarget } from '@x/core'
import {
  DisconnectError,
  DisconnectReason,
  type MsgReadWriter,
  type Protocol,
  type ProtocolPeer,
  readMsgs,
} from '@x/p2p'
import { HeartbeatError } from './errors.js'
import { decodeHeartbeat, encodeHeartbeat, type HeartbeatRecord } from './record.js'

/**
 * The `heartbeat/1` devp2p sub-protocol: one message, Beat (0x00), carrying an RLP
 * {@link HeartbeatRecord}. The sender writes a Beat every period; the receiver never answers.
 */
export const heartbeatProtocolName = 'heartbeat'
export const heartbeatProtocolVersion = 1
export const heartbeatProtocolLength = 1
export const beatMsgCode = 0x00

export const heartbeatProtocolDefaults = {
  /** Peers running the protocol at once; one more is refused with TooManyPeers. */
  maxPeers: 4096,
  /** Callers waiting for a link at once (senders waiting for their dial to come up). */
  maxWaiters: 64,
}

/** What a sender holds while connected to an aggregator. */
export interface HeartbeatLink {
  /** The remote (the aggregator). */
  readonly peer: ProtocolPeer
  /** Aborted when the link ends. */
  readonly signal: AbortSignal
  /** Writes one Beat; rejects when the link is gone or the write fails. */
  send(record: HeartbeatRecord): Promise<void>
  /** Ends the link if it is ours to end; resolves once it is closed. */
  close(): Promise<void>
}

export interface HeartbeatProtocolEvents extends Record<string, unknown> {
  'link:open': { peer: ProtocolPeer }
  'link:closed': { peer: ProtocolPeer }
  /** A valid Beat arrived. `receivedAt` is the message's receive time (ms). */
  beat: { peer: ProtocolPeer; record: HeartbeatRecord; receivedAt: number }
  /** A peer sent a malformed Beat (or an unknown code) and was dropped. */
  'peer:dropped': { peer: ProtocolPeer; error: HeartbeatError }
}

export interface HeartbeatProtocolOptions {
  /** Receives every valid Beat (the aggregator). Without it, Beats are checked and ignored. */
  onBeat?: (peer: ProtocolPeer, record: HeartbeatRecord, receivedAt: number) => void
  maxPeers?: number
  logger?: Logger
}

interface Session {
  peer: ProtocolPeer
  rw: MsgReadWriter
}

interface Waiter {
  id: string
  resolve(link: HeartbeatLink): void
}

/**
 * The `heartbeat/1` protocol, for both ends: add it to a p2p `Server` (or a dedicated dial) and
 * it runs on every peer that shares it. Receivers get Beats through `onBeat` and the `beat`
 * event; senders get a {@link HeartbeatLink} per connected peer through `link`/`waitLink`.
 * A malformed Beat, an unknown message code, or a record whose node ID is not the link's
 * authenticated ID drops that peer (breach of protocol) with an `ERR_BAD_HEARTBEAT` error.
 */
export class HeartbeatProtocol
  extends TypedEventTarget<HeartbeatProtocolEvents>
  implements Protocol
{
  readonly name = heartbeatProtocolName
  readonly version = heartbeatProtocolVersion
  readonly length = heartbeatProtocolLength

  readonly #sessions = new Map<string, Session>()
  readonly #waiters = new Set<Waiter>()
  readonly #onBeat: HeartbeatProtocolOptions['onBeat']
  readonly #maxPeers: number
  readonly #log: Logger

  constructor(options: HeartbeatProtocolOptions = {}) {
    super()
    this.#onBeat = options.onBeat
    this.#maxPeers = options.maxPeers ?? heartbeatProtocolDefaults.maxPeers
    this.#log = (options.logger ?? noopLogger).child({ proto: 'heartbeat/1' })
  }

  /** IDs (hex) of the peers running the protocol. */
  peerIds(): string[] {
    return [...this.#sessions.keys()]
  }

  /** The link to peer `id` (hex), if it runs the protocol now. */
  link(id: string): HeartbeatLink | undefined {
    const s = this.#sessions.get(id)
    return s ? this.#linkOf(s) : undefined
  }

  /** Resolves with the link to peer `id` once it runs the protocol; rejects when `signal` aborts. */
  waitLink(id: string, signal: AbortSignal): Promise<HeartbeatLink> {
    const now = this.link(id)
    if (now) return Promise.resolve(now)
    if (signal.aborted) return Promise.reject(signal.reason)
    if (this.#waiters.size >= heartbeatProtocolDefaults.maxWaiters) {
      return Promise.reject(new HeartbeatError('ERR_TOO_MANY_PEERS', 'too many link waiters'))
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        id,
        resolve: (link) => {
          signal.removeEventListener('abort', onAbort)
          resolve(link)
        },
      }
      const onAbort = () => {
        this.#waiters.delete(waiter)
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#waiters.add(waiter)
    })
  }

  async run(peer: ProtocolPeer, rw: MsgReadWriter, signal: AbortSignal): Promise<void> {
    const id = peer.idHex
    if (this.#sessions.has(id)) {
      throw new DisconnectError(DisconnectReason.AlreadyConnected, 'heartbeat/1 already running')
    }
    if (this.#sessions.size >= this.#maxPeers) {
      throw new DisconnectError(DisconnectReason.TooManyPeers, 'heartbeat/1 peer limit')
    }
    const session: Session = { peer, rw }
    this.#sessions.set(id, session)
    this.emit('link:open', { peer })
    for (const w of [...this.#waiters]) {
      if (w.id !== id) continue
      this.#waiters.delete(w)
      w.resolve(this.#linkOf(session))
    }
    try {
      await this.#readLoop(session, signal)
    } finally {
      this.#sessions.delete(id)
      this.emit('link:closed', { peer })
    }
  }

  #linkOf(s: Session): HeartbeatLink {
    return {
      peer: s.peer,
      signal: s.peer.signal,
      send: (record) => s.rw.writeMsg(beatMsgCode, encodeHeartbeat(record)),
      close: async () => {},
    }
  }

  async #readLoop(s: Session, signal: AbortSignal): Promise<void> {
    try {
      for await (const msg of readMsgs(s.rw, signal)) {
        let record: HeartbeatRecord
        try {
          if (msg.code !== beatMsgCode) {
            throw new HeartbeatError('ERR_BAD_HEARTBEAT', `unknown message code ${msg.code}`)
          }
          record = decodeHeartbeat(msg.payload)
          if (!equalBytes(record.nodeId, s.peer.id)) {
            throw new HeartbeatError('ERR_BAD_HEARTBEAT', 'record node ID is not the sender')
          }
        } catch (err) {
          if (!(err instanceof HeartbeatError)) throw err
          this.#log.warn('bad heartbeat, dropping peer', {
            peer: s.peer.idHex.slice(0, 16),
            err,
          })
          this.emit('peer:dropped', { peer: s.peer, error: err })
          throw new DisconnectError(DisconnectReason.BreachOfProtocol, err.message, { cause: err })
        }
        this.#onBeat?.(s.peer, record, msg.receivedAt)
        this.emit('beat', { peer: s.peer, record, receivedAt: msg.receivedAt })
      }
    } catch (err) {
      if (signal.aborted) return
      throw err
    }
  }
}
