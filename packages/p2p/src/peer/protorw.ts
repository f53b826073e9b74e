import { InvalidMsgCodeError, PeerClosedError } from '../errors.js'
import type { Msg, MsgReadWriter } from '../message.js'

/** Messages buffered for a protocol that is not reading; then the peer's read loop waits. */
export const protoQueueCapacity = 16
/**
 * Bytes (decompressed payloads) buffered for a protocol that is not reading: 1 MiB, plus the
 * one message that crossed it; then the peer's read loop waits, and the socket is paused.
 */
export const protoQueueBytes = 1024 * 1024

interface Waiter<T> {
  resolve(value: T): void
  reject(err: unknown): void
}

/**
 * The reader/writer one running sub-protocol sees (go-ethereum's `protoRW`): its codes are
 * 0..length-1; writes are shifted by `offset` and codes outside the range are rejected. The
 * peer's read loop `deliver`s messages (already shifted back); when the protocol does not
 * keep up (more than {@link protoQueueCapacity} messages or {@link protoQueueBytes} bytes wait),
 * `deliver` waits, which stalls the read loop (back-pressure to the remote).
 */
export class ProtoRW implements MsgReadWriter {
  readonly #queue: Msg[] = []
  #queuedBytes = 0
  readonly #readers: Waiter<Msg>[] = []
  readonly #writers: Waiter<void>[] = []
  #closed: Error | undefined

  constructor(
    readonly name: string,
    readonly offset: number,
    readonly length: number,
    private readonly write: (code: number, payload: Uint8Array) => Promise<void>,
  ) {}

  /** True when `code` (a wire code) belongs to this protocol. */
  owns(code: number): boolean {
    return code >= this.offset && code < this.offset + this.length
  }

  /** Payload bytes delivered and not yet read. */
  get queuedBytes(): number {
    return this.#queuedBytes
  }

  readMsg(): Promise<Msg> {
    const msg = this.#queue.shift()
    if (msg !== undefined) {
      this.#queuedBytes -= msg.payload.length
      if (!this.#full()) this.#writers.shift()?.resolve()
      return Promise.resolve(msg)
    }
    if (this.#closed) return Promise.reject(this.#closed)
    return new Promise((resolve, reject) => this.#readers.push({ resolve, reject }))
  }

  writeMsg(code: number, payload: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed)
    if (!Number.isInteger(code) || code < 0 || code >= this.length) {
      return Promise.reject(
        new InvalidMsgCodeError(`${this.name}: code ${code} outside 0..${this.length - 1}`),
      )
    }
    return this.write(code + this.offset, payload)
  }

  /** Hands a received message (wire code) to the protocol; waits while its queue is full. */
  deliver(msg: Msg): Promise<void> {
    if (this.#closed) return Promise.resolve()
    const local = { ...msg, code: msg.code - this.offset }
    const reader = this.#readers.shift()
    if (reader !== undefined) {
      reader.resolve(local)
      return Promise.resolve()
    }
    this.#queue.push(local)
    this.#queuedBytes += local.payload.length
    if (!this.#full()) return Promise.resolve()
    return new Promise((resolve, reject) => this.#writers.push({ resolve, reject }))
  }

  #full(): boolean {
    return this.#queue.length > protoQueueCapacity || this.#queuedBytes > protoQueueBytes
  }

  /** Ends the reader/writer: pending and later reads and writes reject with `err`. */
  close(err: Error = new PeerClosedError()): void {
    if (this.#closed) return
    this.#closed = err
    this.#queue.length = 0
    this.#queuedBytes = 0
    for (const r of this.#readers.splice(0)) r.reject(err)
    for (const w of this.#writers.splice(0)) w.resolve()
  }
}
