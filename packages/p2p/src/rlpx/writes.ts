import type { Socket } from 'node:net'
import { type Clock, TimeoutError, type TimerHandle } from '@x/core'
import { RlpxError } from '../errors.js'
import { type FrameWriter, maxMessageSize } from './frame.js'
import { snappyCompress } from './snappy.js'

/** Limits of one session's write side (see `rlpxLimits`). */
export interface WriteLimits {
  frameWrite: number
  maxPendingWrites: number
  maxPendingWriteBytes: number
  yieldBytes: number
}

interface PendingWrite {
  code: number
  payload: Uint8Array
  /** Snappy as it was when `writeMsg` was called. */
  snappy: boolean
  resolve(): void
  reject(err: unknown): void
}

interface Waiter {
  resolve(): void
  reject(err: unknown): void
}

/**
 * The write side of an RLPx session (go-ethereum's `Conn.Write` with its write deadline):
 * frames go to the socket in order; when its buffer is full, later writes wait (bounded in
 * count and bytes) and the one that filled it resolves on the drain, so a protocol awaiting
 * each write holds one message. The kernel may take everything at once (loopback): after
 * `yieldBytes` in one turn of the event loop, writes resolve on the next turn, so a write loop
 * cannot starve timers, reads or a stop. A drain that does not come within `frameWrite` fails
 * the session through `fail`.
 */
export class SessionWrites {
  readonly #socket: Socket
  readonly #writer: FrameWriter
  readonly #clock: Clock
  readonly #limits: WriteLimits
  readonly #fail: (err: Error) => void
  readonly #queue: PendingWrite[] = []
  #queuedBytes = 0
  /** Writes handed to a full socket buffer: they resolve on its drain. */
  readonly #draining: Waiter[] = []
  /** Frame bytes written since the event loop last turned, and who waits for its next turn. */
  #turnBytes = 0
  #turnScheduled = false
  readonly #nextTurn: (() => void)[] = []
  #drainTimer: TimerHandle | undefined
  #blocked = false
  #corked = false
  #error: Error | undefined

  constructor(
    socket: Socket,
    writer: FrameWriter,
    clock: Clock,
    limits: WriteLimits,
    fail: (err: Error) => void,
  ) {
    this.#socket = socket
    this.#writer = writer
    this.#clock = clock
    this.#limits = limits
    this.#fail = fail
    socket.on('drain', this.#onDrain)
  }

  /** Payload bytes waiting, plus what the socket buffers. */
  get heldBytes(): number {
    return this.#queuedBytes + this.#socket.writableLength
  }

  write(code: number, payload: Uint8Array, snappy: boolean): Promise<void> {
    if (this.#error) return Promise.reject(this.#error)
    if (!this.#blocked && this.#queue.length === 0) {
      try {
        this.#send(code, payload, snappy)
      } catch (err) {
        return Promise.reject(err)
      }
      return this.#written()
    }
    if (
      this.#queue.length >= this.#limits.maxPendingWrites ||
      (this.#queue.length > 0 &&
        this.#queuedBytes + payload.length > this.#limits.maxPendingWriteBytes)
    ) {
      return Promise.reject(new RlpxError('ERR_WRITE_QUEUE_FULL', 'too many writes pending'))
    }
    this.#queuedBytes += payload.length
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ code, payload, snappy, resolve, reject })
    })
  }

  /** Rejects what waits with `err`; later writes reject with it too. */
  fail(err: Error): void {
    if (this.#error) return
    this.#error = err
    if (this.#drainTimer !== undefined) this.#clock.clearTimeout(this.#drainTimer)
    this.#drainTimer = undefined
    for (const w of this.#queue.splice(0)) w.reject(err)
    this.#queuedBytes = 0
    for (const w of this.#draining.splice(0)) w.reject(err)
    this.#turned()
  }

  /**
   * When a write handed to the socket resolves: on the drain when it filled the socket buffer,
   * on the next turn of the event loop when this turn wrote `yieldBytes` already, else now.
   */
  #written(): Promise<void> {
    if (this.#blocked) {
      return new Promise<void>((resolve, reject) => this.#draining.push({ resolve, reject }))
    }
    if (this.#turnBytes >= this.#limits.yieldBytes) {
      return new Promise<void>((resolve) => this.#nextTurn.push(resolve))
    }
    return Promise.resolve()
  }

  readonly #turned = (): void => {
    this.#turnScheduled = false
    this.#turnBytes = 0
    for (const resolve of this.#nextTurn.splice(0)) resolve()
  }

  #send(code: number, payload: Uint8Array, snappy: boolean): void {
    if (payload.length > maxMessageSize) {
      throw new RlpxError('ERR_MSG_TOO_LARGE', `message of ${payload.length} bytes exceeds 16 MiB`)
    }
    const data = snappy ? snappyCompress(payload) : payload
    const frame = this.#writer.encode(code, data)
    this.#turnBytes += frame.length
    if (!this.#turnScheduled) {
      this.#turnScheduled = true
      setImmediate(this.#turned)
    }
    // Frames written in the same tick leave in one writev (small messages batch up).
    if (!this.#corked) {
      this.#corked = true
      this.#socket.cork()
      process.nextTick(this.#uncork)
    }
    if (!this.#socket.write(frame)) {
      this.#blocked = true
      this.#drainTimer ??= this.#clock.setTimeout(() => {
        this.#fail(new TimeoutError('RLPx frame write timeout'))
      }, this.#limits.frameWrite)
    }
  }

  readonly #uncork = (): void => {
    this.#corked = false
    this.#socket.uncork()
  }

  readonly #onDrain = (): void => {
    this.#blocked = false
    if (this.#drainTimer !== undefined) this.#clock.clearTimeout(this.#drainTimer)
    this.#drainTimer = undefined
    for (const w of this.#draining.splice(0)) this.#written().then(w.resolve, w.reject)
    while (!this.#blocked && !this.#error) {
      const w = this.#queue.shift()
      if (!w) break
      this.#queuedBytes -= w.payload.length
      try {
        this.#send(w.code, w.payload, w.snappy)
        this.#written().then(w.resolve, w.reject)
      } catch (err) {
        w.reject(err)
      }
    }
  }
}
