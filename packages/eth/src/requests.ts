import type { Clock, TimerHandle } from '@x/core'
import { EthError } from './errors.js'
import { MsgCode } from './messages/codes.js'

/** Response codes and the request code each answers (devp2p caps/eth.md). */
export const responseOf: Readonly<Record<number, number>> = {
  [MsgCode.BlockHeaders]: MsgCode.GetBlockHeaders,
  [MsgCode.BlockBodies]: MsgCode.GetBlockBodies,
  [MsgCode.Receipts]: MsgCode.GetReceipts,
  [MsgCode.PooledTransactions]: MsgCode.GetPooledTransactions,
  [MsgCode.BlockAccessLists]: MsgCode.GetBlockAccessLists,
  [MsgCode.Cells]: MsgCode.GetCells,
}

/** A response handed to the request waiting for it: its items and any extra fields. */
export interface Delivery<T = undefined> {
  items: Uint8Array[]
  extra: T
}

/**
 * How long a sent request stays tracked, answered or not in time (go-ethereum's eth tracker
 * timeout): a response within it is solicited, even after the caller gave up waiting.
 */
export const trackTimeout = 5 * 60_000
/** Requests tracked at once (go-ethereum's `maxTrackedPackets`); the oldest is forgotten. */
const maxTracked = 10_000

interface Tracked {
  code: number
  size: number
  at: number
}

interface Pending {
  code: number
  resolve(d: Delivery<unknown>): void
  reject(err: unknown): void
  timer: TimerHandle
}

/**
 * The requests a peer has in flight, matched to responses by request id and code (devp2p
 * caps/eth.md: request ids are chosen by the requester). At most `maxPending` at once; each is
 * failed after `timeout` ms, or when the peer closes.
 */
export class Requests {
  readonly #pending = new Map<bigint, Pending>()
  /** Sent requests by id, oldest first (insertion order), for {@link fulfil}. */
  readonly #tracked = new Map<bigint, Tracked>()
  #nextId: bigint
  #closed = false

  constructor(
    readonly clock: Clock,
    readonly timeout: number,
    readonly maxPending: number,
    readonly write: (code: number, payload: Uint8Array) => Promise<void>,
  ) {
    this.#nextId = BigInt(Math.floor(Math.random() * 2 ** 32))
  }

  /** Number of requests in flight. */
  get size(): number {
    return this.#pending.size
  }

  /**
   * Sends a request for `size` items; resolves with the matching response's items (and its extra
   * fields).
   */
  send<T = undefined>(
    code: number,
    size: number,
    encode: (id: bigint) => Uint8Array,
    signal?: AbortSignal,
  ): Promise<Delivery<T>> {
    if (this.#closed) return Promise.reject(new EthError('ERR_REQUEST_TIMEOUT', 'peer closed'))
    if (this.#pending.size >= this.maxPending) {
      return Promise.reject(new EthError('ERR_REQUEST_TIMEOUT', 'too many requests in flight'))
    }
    signal?.throwIfAborted()
    const requestId = this.#nextId
    this.#nextId = (this.#nextId + 1n) & 0xffff_ffff_ffff_ffffn
    this.#track(requestId, code, size)
    return new Promise<Delivery<T>>((resolve, reject) => {
      const done = () => signal?.removeEventListener('abort', onAbort)
      const settle = (err: unknown) => {
        const p = this.#pending.get(requestId)
        if (!p) return
        this.#pending.delete(requestId)
        this.clock.clearTimeout(p.timer)
        p.reject(err)
      }
      const onAbort = () => settle(signal?.reason)
      const timer = this.clock.setTimeout(() => {
        settle(new EthError('ERR_REQUEST_TIMEOUT', `request ${requestId} (code ${code}) timed out`))
      }, this.timeout)
      this.#pending.set(requestId, {
        code,
        timer,
        resolve: (d) => {
          done()
          resolve(d as Delivery<T>)
        },
        reject: (err) => {
          done()
          reject(err)
        },
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      this.write(code, encode(requestId)).catch(settle)
    })
  }

  /**
   * Checks a response against the requests sent (go-ethereum's `tracker.Fulfil`) and stops
   * tracking its request. Throws {@link EthError} `ERR_UNEXPECTED_RESPONSE` for a response to no
   * request sent in the last {@link trackTimeout} ms (unsolicited), of the wrong code, or with
   * more items than asked for: the caller drops the peer.
   */
  fulfil(code: number, requestId: bigint, items: number): void {
    this.#expire()
    const t = this.#tracked.get(requestId)
    if (!t) {
      throw new EthError(
        'ERR_UNEXPECTED_RESPONSE',
        `unsolicited response ${requestId} (code ${code})`,
      )
    }
    if (responseOf[code] !== t.code) {
      throw new EthError(
        'ERR_UNEXPECTED_RESPONSE',
        `response ${requestId} has code ${code}, the request was ${t.code}`,
      )
    }
    if (items > t.size) {
      throw new EthError(
        'ERR_UNEXPECTED_RESPONSE',
        `response ${requestId} has ${items} items, ${t.size} were asked for`,
      )
    }
    this.#tracked.delete(requestId)
  }

  #track(id: bigint, code: number, size: number): void {
    this.#expire()
    if (this.#tracked.size >= maxTracked) {
      const oldest = this.#tracked.keys().next().value
      if (oldest !== undefined) this.#tracked.delete(oldest)
    }
    this.#tracked.set(id, { code, size, at: this.clock.now() })
  }

  /** Forgets requests tracked longer than {@link trackTimeout} (oldest first, so it stops early). */
  #expire(): void {
    const cutoff = this.clock.now() - trackTimeout
    for (const [id, t] of this.#tracked) {
      if (t.at > cutoff) break
      this.#tracked.delete(id)
    }
  }

  /**
   * Hands a response to the request waiting for it. Returns false when no request with that id
   * and code is pending (late, duplicate or unsolicited): the caller decides what that costs.
   */
  deliver(code: number, requestId: bigint, items: Uint8Array[], extra?: unknown): boolean {
    const p = this.#pending.get(requestId)
    if (!p || responseOf[code] !== p.code) return false
    this.#pending.delete(requestId)
    this.clock.clearTimeout(p.timer)
    p.resolve({ items, extra })
    return true
  }

  /** Fails every pending request and refuses new ones. Idempotent. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    for (const [id, p] of this.#pending) {
      this.clock.clearTimeout(p.timer)
      p.reject(new EthError('ERR_REQUEST_TIMEOUT', `request ${id}: peer closed`))
    }
    this.#pending.clear()
    this.#tracked.clear()
  }
}
