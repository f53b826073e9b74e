import { type Clock, equalBytes, type Logger, noopLogger, systemClock, toHex } from '@x/core'
import {
  DisconnectError,
  DisconnectReason,
  type MsgReadWriter,
  type Protocol,
  type ProtocolPeer,
  readMsgs,
} from '@x/p2p'
import { HealthError } from '../errors.js'
import type { HealthTracker } from '../tracker.js'
import {
  decodePingMsg,
  encodePingMsg,
  pingMsgCode,
  pingNonceSize,
  pingProtocolLength,
  pingProtocolName,
  pingProtocolVersion,
  pongMsgCode,
} from './wire.js'

export interface PingProtocolOptions {
  /** Receives every RTT sample and failure (optional). */
  tracker?: HealthTracker
  /**
   * Remove a peer from the tracker when its session ends (default true). `NodeHealth` turns it
   * off: there the liveness monitor owns the peer set, and reports how the peer ended first.
   */
  forgetPeers?: boolean
  /** Time between automatic pings to each peer; 0 turns them off (default 15 000 ms). */
  interval?: number
  /** How long to wait for the Pong (default 5 000 ms). */
  timeout?: number
  /** Timers (default the system clock). */
  clock?: Clock
  /** Monotonic milliseconds for RTTs (default `performance.now`); tests pass a virtual one. */
  monotonic?: () => number
  /** Source of the nonces (default `crypto.getRandomValues`). */
  randomBytes?: (n: number) => Uint8Array
  /** Peers served at once; one more is refused with TooManyPeers (default 4096). */
  maxPeers?: number
  logger?: Logger
}

export const pingProtocolDefaults = {
  interval: 15_000,
  timeout: 5_000,
  maxPeers: 4096,
}

interface Outstanding {
  nonce: Uint8Array
  sentAt: number
  timer: ReturnType<Clock['setTimeout']>
  resolve(rtt: number): void
  reject(err: unknown): void
}

interface Session {
  peer: ProtocolPeer
  rw: MsgReadWriter
  outstanding: Outstanding | undefined
  /** Nonces of pings that timed out, newest last (at most `maxExpiredNonces`). */
  expired: Uint8Array[]
  pings: number
}

/** Late Pongs recognised per peer; older ones count as mismatches. */
const maxExpiredNonces = 4

const defaultRandom = (n: number) => crypto.getRandomValues(new Uint8Array(n))

/**
 * The `ping/1` sub-protocol: answers every Ping with a Pong of the same bytes, and pings each
 * peer every `interval` with 32 fresh random bytes, at most one outstanding per peer. A Pong
 * whose bytes differ is a failure (`ERR_PING_MISMATCH`), never a success; no answer within
 * `timeout` is a failure (`ERR_PING_TIMEOUT`). Results go to the tracker.
 */
export class PingProtocol implements Protocol {
  readonly name = pingProtocolName
  readonly version = pingProtocolVersion
  readonly length = pingProtocolLength

  readonly #sessions = new Map<string, Session>()
  readonly #tracker: HealthTracker | undefined
  readonly #forgetPeers: boolean
  readonly #interval: number
  readonly #timeout: number
  readonly #clock: Clock
  readonly #monotonic: () => number
  readonly #random: (n: number) => Uint8Array
  readonly #maxPeers: number
  readonly #log: Logger

  constructor(options: PingProtocolOptions = {}) {
    this.#tracker = options.tracker
    this.#forgetPeers = options.forgetPeers ?? true
    this.#interval = options.interval ?? pingProtocolDefaults.interval
    this.#timeout = options.timeout ?? pingProtocolDefaults.timeout
    this.#clock = options.clock ?? systemClock
    this.#monotonic = options.monotonic ?? (() => performance.now())
    this.#random = options.randomBytes ?? defaultRandom
    this.#maxPeers = options.maxPeers ?? pingProtocolDefaults.maxPeers
    this.#log = (options.logger ?? noopLogger).child({ proto: 'ping/1' })
    if (!(this.#timeout > 0) || !(this.#interval >= 0)) {
      throw new RangeError('ping timeout must be > 0 and interval >= 0')
    }
  }

  /** IDs (hex) of the peers currently running the protocol. */
  peerIds(): string[] {
    return [...this.#sessions.keys()]
  }

  has(id: string): boolean {
    return this.#sessions.has(id)
  }

  async run(peer: ProtocolPeer, rw: MsgReadWriter, signal: AbortSignal): Promise<void> {
    const id = peer.idHex
    if (this.#sessions.has(id)) {
      throw new DisconnectError(DisconnectReason.AlreadyConnected, 'ping/1 already running')
    }
    if (this.#sessions.size >= this.#maxPeers) {
      throw new DisconnectError(DisconnectReason.TooManyPeers, 'ping/1 peer limit')
    }
    const session: Session = { peer, rw, outstanding: undefined, expired: [], pings: 0 }
    this.#sessions.set(id, session)
    this.#tracker?.add({ id, address: peer.remoteAddress, clientId: peer.clientId })
    let timer: ReturnType<Clock['setTimeout']> | undefined
    const schedule = (delay: number) => {
      timer = this.#clock.setTimeout(() => {
        timer = undefined
        if (signal.aborted) return
        this.ping(id).then(
          () => {},
          () => {},
        )
        schedule(this.#interval)
      }, delay)
    }
    if (this.#interval > 0) schedule(0)
    try {
      await this.#readLoop(session, signal)
    } finally {
      if (timer !== undefined) this.#clock.clearTimeout(timer)
      this.#settle(session, undefined, new HealthError('ERR_PING_UNAVAILABLE', 'peer gone'))
      this.#sessions.delete(id)
      if (this.#forgetPeers) this.#tracker?.remove(id)
    }
  }

  /**
   * Pings a peer now and resolves with the RTT in ms. Rejects with `ERR_PING_BUSY` if a ping to
   * it is outstanding, `ERR_PING_UNAVAILABLE` if it does not run ping/1, `ERR_PING_TIMEOUT`,
   * `ERR_PING_MISMATCH`, or the write error. Failures and samples are recorded in the tracker.
   */
  ping(id: string): Promise<number> {
    const s = this.#sessions.get(id)
    if (!s) {
      return Promise.reject(new HealthError('ERR_PING_UNAVAILABLE', 'peer does not run ping/1'))
    }
    if (s.outstanding) {
      return Promise.reject(new HealthError('ERR_PING_BUSY', 'a ping is already outstanding'))
    }
    const nonce = this.#random(pingNonceSize)
    const result = new Promise<number>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        s.expired.push(nonce)
        if (s.expired.length > maxExpiredNonces) s.expired.shift()
        this.#tracker?.recordFailure(id, 'timeout')
        this.#settle(s, undefined, new HealthError('ERR_PING_TIMEOUT', 'no pong in time'))
      }, this.#timeout)
      s.outstanding = { nonce, sentAt: this.#monotonic(), timer, resolve, reject }
    })
    s.pings++
    s.rw.writeMsg(pingMsgCode, encodePingMsg(nonce)).catch((err: unknown) => {
      if (s.outstanding?.nonce !== nonce) return
      this.#tracker?.recordFailure(id, 'write-failed')
      this.#settle(s, undefined, err)
    })
    return result
  }

  peerInfo(id: Uint8Array): unknown {
    const s = this.#sessions.get(toHex(id))
    if (!s) return undefined
    return { pings: s.pings, outstanding: s.outstanding !== undefined }
  }

  async #readLoop(s: Session, signal: AbortSignal): Promise<void> {
    const id = s.peer.idHex
    try {
      for await (const msg of readMsgs(s.rw, signal)) {
        this.#tracker?.touch(id)
        let nonce: Uint8Array
        try {
          nonce = decodePingMsg(msg.payload)
        } catch (err) {
          throw new DisconnectError(DisconnectReason.BreachOfProtocol, 'bad ping/1 message', {
            cause: err,
          })
        }
        if (msg.code === pingMsgCode) {
          await s.rw.writeMsg(pongMsgCode, encodePingMsg(nonce))
        } else if (msg.code === pongMsgCode) {
          this.#onPong(s, nonce)
        } else {
          throw new DisconnectError(
            DisconnectReason.BreachOfProtocol,
            `ping/1: unknown message code ${msg.code}`,
          )
        }
      }
    } catch (err) {
      if (signal.aborted) return
      throw err
    }
  }

  #onPong(s: Session, nonce: Uint8Array): void {
    const o = s.outstanding
    if (!o || s.expired.some((e) => equalBytes(e, nonce))) {
      // Unsolicited, or a late answer to a ping that already timed out: neither a failure
      // (the timeout was counted) nor a sample.
      this.#log.debug('unsolicited pong', { peer: s.peer.idHex.slice(0, 16) })
      return
    }
    const id = s.peer.idHex
    if (!equalBytes(o.nonce, nonce)) {
      this.#tracker?.recordFailure(id, 'mismatch')
      this.#settle(s, undefined, new HealthError('ERR_PING_MISMATCH', 'pong bytes differ'))
      return
    }
    const rtt = Math.max(0, this.#monotonic() - o.sentAt)
    this.#tracker?.recordRtt(id, rtt, 'ping/1')
    this.#settle(s, rtt, undefined)
  }

  #settle(s: Session, rtt: number | undefined, err: unknown): void {
    const o = s.outstanding
    if (!o) return
    s.outstanding = undefined
    this.#clock.clearTimeout(o.timer)
    if (rtt !== undefined) o.resolve(rtt)
    else o.reject(err)
  }
}
