import { type Clock, type Logger, noopLogger, systemClock, toHex } from '@x/core'
import type { NodeId } from '@x/discover'
import {
  DisconnectReason,
  disconnectReasonText,
  InvalidMsgCodeError,
  PeerClosedError,
  RlpxError,
} from '../errors.js'
import {
  baseProtocolLength,
  type Cap,
  decodeDisconnect,
  disconnectCode,
  emptyListPayload,
  encodeDisconnect,
  type Hello,
  pingCode,
  pongCode,
} from '../hello.js'
import type { Msg, MsgEventSink, Transport } from '../message.js'
import type { Protocol, ProtocolPeer } from '../protocol.js'
import { type MatchedProtocol, matchProtocols } from './caps.js'
import { ProtoRW } from './protorw.js'
import { disconnectReasonForError } from './reason.js'

/** Ping period of the base protocol (go-ethereum's pingInterval). */
export const pingInterval = 15_000
/** A peer that sends nothing (not even a Pong) for this long is dropped as unresponsive. */
export const idleTimeout = 30_000
/** How long we try to deliver our Disconnect before closing the link. */
export const disconnectWriteTimeout = 1_000
/**
 * Payload bytes of writes waiting for earlier ones (16 MiB): protocols that write faster than
 * the remote reads end the peer instead of growing the node's memory (one more write is always
 * taken when none waits).
 */
export const maxQueuedWriteBytes = 16 * 1024 * 1024

export interface PeerOptions {
  /** Our protocols; those the remote shares are run (default none). */
  protocols?: readonly Protocol[]
  /** True when the remote dialed us. */
  inbound?: boolean
  clock?: Clock
  /** Milliseconds between our Pings (default {@link pingInterval}). */
  pingInterval?: number
  /** Milliseconds of silence after which the peer is dropped; 0 disables (default {@link idleTimeout}). */
  idleTimeout?: number
  logger?: Logger
  /** Receives an event per message sent and received (metrics). */
  onMessage?: MsgEventSink
}

/** Why and how a peer ended. */
export interface DisconnectInfo {
  reason: DisconnectReason
  /** True when the remote sent the Disconnect; false when we ended the peer. */
  remote: boolean
  /** The error that ended the peer, if one did (link error, protocol error). */
  error?: unknown
}

interface RunningProtocol extends MatchedProtocol {
  rw: ProtoRW
}

/**
 * A connected peer after the hello exchange (go-ethereum's `p2p.Peer`): runs the read loop, the
 * ping loop, the unresponsive-peer check and the matched sub-protocols over one transport.
 * Construct, then `run()`; `run` resolves once the peer has ended, the link is closed and every
 * protocol's `run` has returned.
 */
export class Peer implements ProtocolPeer {
  readonly id: NodeId
  readonly idHex: string
  readonly clientId: string
  readonly caps: readonly Cap[]
  readonly hello: Hello
  readonly inbound: boolean
  readonly remoteAddress: { ip: string; port: number }
  /** The protocols running on this link, in offset order. */
  readonly running: readonly MatchedProtocol[]
  /** When the peer was created (clock ms). */
  readonly connectedAt: number

  readonly #transport: Transport
  readonly #clock: Clock
  readonly #log: Logger
  readonly #onMessage: MsgEventSink | undefined
  readonly #pingInterval: number
  readonly #idleTimeout: number
  readonly #protos: RunningProtocol[]
  readonly #abort = new AbortController()
  readonly #done: Promise<DisconnectInfo>
  #resolveDone!: (info: DisconnectInfo) => void
  #info: DisconnectInfo | undefined
  #started = false
  #writeChain: Promise<void> = Promise.resolve()
  /** Payload bytes in `#writeChain` not yet handed to the transport or written. */
  #queuedWriteBytes = 0
  #lastReceived: number
  #delivering = false
  #pongQueued = false
  #pingTimer: ReturnType<Clock['setTimeout']> | undefined
  #idleTimer: ReturnType<Clock['setTimeout']> | undefined

  constructor(transport: Transport, hello: Hello, options: PeerOptions = {}) {
    this.#transport = transport
    this.#clock = options.clock ?? systemClock
    this.#onMessage = options.onMessage
    this.#pingInterval = options.pingInterval ?? pingInterval
    this.#idleTimeout = options.idleTimeout ?? idleTimeout
    this.hello = hello
    this.id = transport.remoteId
    this.idHex = toHex(this.id)
    this.clientId = hello.clientId
    this.caps = hello.caps
    this.inbound = options.inbound ?? false
    this.remoteAddress = transport.remoteAddress
    this.connectedAt = this.#clock.now()
    this.#lastReceived = this.connectedAt
    this.#log = (options.logger ?? noopLogger).child({ peer: this.idHex.slice(0, 16) })
    this.#protos = matchProtocols(options.protocols ?? [], hello.caps).map((m) => ({
      ...m,
      rw: new ProtoRW(m.protocol.name, m.offset, m.protocol.length, (code, payload) =>
        this.#write(code, payload, m.protocol.name, m.offset),
      ),
    }))
    this.running = this.#protos.map(({ protocol, offset }) => ({ protocol, offset }))
    this.#done = new Promise((resolve) => {
      this.#resolveDone = resolve
    })
  }

  /** Aborted when the peer ends. */
  get signal(): AbortSignal {
    return this.#abort.signal
  }

  /** How the peer ended, once it has. */
  get disconnectInfo(): DisconnectInfo | undefined {
    return this.#info
  }

  /**
   * Runs the peer until it ends; resolves with why. Call once. A peer disconnected before
   * `run` resolves at once.
   */
  async run(): Promise<DisconnectInfo> {
    if (this.#started) throw new Error('Peer.run called twice')
    this.#started = true
    const runs: Promise<void>[] = []
    if (!this.#info) {
      void this.#readLoop()
      this.#schedulePing()
      this.#scheduleIdleCheck(this.#idleTimeout)
      for (const p of this.#protos) runs.push(this.#runProtocol(p))
    }
    const info = await this.#done
    await Promise.allSettled(runs)
    return info
  }

  /** Ends the peer, sending `reason` to the remote. Idempotent: the first reason wins. */
  disconnect(reason: DisconnectReason): void {
    this.#end({ reason, remote: false })
  }

  async #runProtocol(p: RunningProtocol): Promise<void> {
    try {
      await p.protocol.run(this, p.rw, this.#abort.signal)
      this.#end({ reason: DisconnectReason.ClientQuitting, remote: false })
    } catch (error) {
      if (this.#info) return
      this.#log.debug('protocol failed', { protocol: p.protocol.name, err: String(error) })
      this.#end({ reason: disconnectReasonForError(error), remote: false, error })
    }
  }

  async #readLoop(): Promise<void> {
    while (!this.#info) {
      let msg: Msg
      try {
        msg = await this.#transport.readMsg()
      } catch (error) {
        this.#end({ reason: DisconnectReason.TcpError, remote: false, error })
        return
      }
      if (this.#info) return
      this.#lastReceived = this.#clock.now()
      if (msg.code < baseProtocolLength) {
        this.#handleBase(msg)
        continue
      }
      const proto = this.#protos.find((p) => p.rw.owns(msg.code))
      if (!proto) {
        const error = new InvalidMsgCodeError(`message code ${msg.code} matches no protocol`)
        this.#end({ reason: disconnectReasonForError(error), remote: false, error })
        return
      }
      this.#emit('received', proto.protocol.name, msg.code - proto.offset, msg.size)
      this.#delivering = true
      await proto.rw.deliver(msg)
      this.#delivering = false
    }
  }

  #handleBase(msg: Msg): void {
    this.#emit('received', 'p2p', msg.code, msg.size)
    switch (msg.code) {
      case pingCode:
        // One Pong in flight at most: a Ping flood must not grow the write queue.
        if (this.#pongQueued) return
        this.#pongQueued = true
        this.#write(pongCode, emptyListPayload, 'p2p', 0)
          .catch(() => {})
          .finally(() => {
            this.#pongQueued = false
          })
        return
      case disconnectCode: {
        const reason = decodeDisconnect(msg.payload)
        this.#end({ reason, remote: true })
        return
      }
      default:
        // Pong needs nothing beyond the idle timer's update; other base codes are ignored,
        // as go-ethereum does, so the base protocol can grow.
        return
    }
  }

  /** Payload bytes written by the protocols and not yet taken by the transport. */
  get queuedWriteBytes(): number {
    return this.#queuedWriteBytes
  }

  #write(code: number, payload: Uint8Array, protocol: string, offset: number): Promise<void> {
    if (this.#info) return Promise.reject(new PeerClosedError())
    const size = payload.length
    if (this.#queuedWriteBytes > 0 && this.#queuedWriteBytes + size > maxQueuedWriteBytes) {
      const error = new RlpxError(
        'ERR_WRITE_QUEUE_FULL',
        `${this.#queuedWriteBytes} bytes wait to be written: the remote does not read`,
      )
      this.#end({ reason: DisconnectReason.TcpError, remote: false, error })
      return Promise.reject(error)
    }
    this.#queuedWriteBytes += size
    // One writer at a time: frames of concurrent writers must not interleave.
    const result = this.#writeChain.then(() => {
      if (this.#info && code !== disconnectCode) throw new PeerClosedError()
      return this.#transport.writeMsg(code, payload)
    })
    this.#writeChain = result.then(
      () => {
        this.#queuedWriteBytes -= size
        this.#emit('sent', protocol, code - offset, size)
      },
      (error) => {
        this.#queuedWriteBytes -= size
        if (!(error instanceof PeerClosedError)) {
          this.#end({ reason: DisconnectReason.TcpError, remote: false, error })
        }
      },
    )
    return result
  }

  #emit(direction: 'sent' | 'received', protocol: string, code: number, size: number): void {
    this.#onMessage?.({ direction, peer: this.idHex, protocol, code, size })
  }

  #schedulePing(): void {
    this.#pingTimer = this.#clock.setTimeout(() => {
      this.#pingTimer = undefined
      if (this.#info) return
      this.#write(pingCode, emptyListPayload, 'p2p', 0).catch(() => {})
      this.#schedulePing()
    }, this.#pingInterval)
  }

  #scheduleIdleCheck(ms: number): void {
    if (this.#idleTimeout <= 0) return
    this.#idleTimer = this.#clock.setTimeout(() => {
      this.#idleTimer = undefined
      if (this.#info) return
      const silent = this.#clock.now() - this.#lastReceived
      // While a slow local protocol holds the read loop, the silence is ours, not the remote's.
      if (silent >= this.#idleTimeout && !this.#delivering) {
        this.#end({
          reason: DisconnectReason.ReadTimeout,
          remote: false,
          error: new PeerClosedError(`no message for ${silent} ms`),
        })
        return
      }
      this.#scheduleIdleCheck(Math.max(1, this.#idleTimeout - silent))
    }, ms)
  }

  #end(info: DisconnectInfo): void {
    if (this.#info) return
    this.#info = info
    this.#log.debug('peer ending', {
      reason: disconnectReasonText[info.reason],
      remote: info.remote,
      err: info.error,
    })
    if (this.#pingTimer !== undefined) this.#clock.clearTimeout(this.#pingTimer)
    if (this.#idleTimer !== undefined) this.#clock.clearTimeout(this.#idleTimer)
    this.#abort.abort(new PeerClosedError(`peer ended: ${disconnectReasonText[info.reason]}`))
    for (const p of this.#protos) p.rw.close()
    void this.#close(info).then(() => this.#resolveDone(info))
  }

  async #close(info: DisconnectInfo): Promise<void> {
    if (!info.remote && info.reason !== DisconnectReason.TcpError) {
      let timer: ReturnType<Clock['setTimeout']> | undefined
      const timeout = new Promise<void>((resolve) => {
        timer = this.#clock.setTimeout(resolve, disconnectWriteTimeout)
      })
      const write = this.#writeChain.then(() =>
        this.#transport.writeMsg(disconnectCode, encodeDisconnect(info.reason)),
      )
      await Promise.race([write.catch(() => {}), timeout])
      if (timer !== undefined) this.#clock.clearTimeout(timer)
    }
    this.#transport.close()
  }
}
