import type { Socket } from 'node:net'
import { type Clock, normalizeIp, systemClock, TimeoutError, type TimerHandle } from '@x/core'
import type { NodeId } from '@x/discover'
import { RlpxError } from '../errors.js'
import { disconnectCode } from '../hello.js'
import type { Msg, Transport } from '../message.js'
import { decodeMsgCode, FrameReader, FrameWriter, maxFrameSize, maxMessageSize } from './frame.js'
import type { Secrets } from './secrets.js'
import { snappyCompress, snappyUncompress } from './snappy.js'

/** Timeouts as go-ethereum's (ms). */
export const rlpxTimeouts = {
  handshake: 5_000,
  frameRead: 30_000,
  frameWrite: 20_000,
} as const

export interface RlpxConnectionOptions {
  /** Reading a frame: a pending `readMsg` fails after this long without one (default 30 s). */
  frameRead?: number
  /** Writing: a write stuck behind a full socket buffer fails after this (default 20 s). */
  frameWrite?: number
  clock?: Clock
  /** Received messages held before the socket is paused (default 64). */
  maxQueued?: number
  /** Largest frame accepted from the remote (default and at most 2^24 − 1). */
  maxFrameSize?: number
  /** Writes waiting behind a full socket buffer before `writeMsg` rejects (default 1024). */
  maxPendingWrites?: number
  /**
   * The remote's address as read when the socket connected; a socket forgets it (`remoteAddress`
   * undefined) once the remote has reset it, which may happen before this session is made.
   */
  remoteAddress?: { ip: string; port: number }
}

interface RawMsg {
  code: number
  data: Uint8Array
  receivedAt: number
}

interface PendingWrite {
  code: number
  payload: Uint8Array
  /** Snappy as it was when `writeMsg` was called. */
  snappy: boolean
  resolve(): void
  reject(err: unknown): void
}

/**
 * An established RLPx session on a socket: reads and writes messages through the frame codec,
 * with snappy when switched on. Received frames queue (bounded: the socket is paused when the
 * queue is full) and are decompressed when read, so `setSnappy` after the hello applies to
 * every later message.
 */
export class RlpxConnection implements Transport {
  readonly remoteId: NodeId
  readonly remoteAddress: { ip: string; port: number }
  readonly #socket: Socket
  readonly #reader: FrameReader
  readonly #writer: FrameWriter
  readonly #clock: Clock
  readonly #frameRead: number
  readonly #frameWrite: number
  readonly #maxQueued: number
  readonly #maxPendingWrites: number
  readonly #queue: RawMsg[] = []
  readonly #readers: { resolve(m: Msg): void; reject(e: unknown): void }[] = []
  readonly #writes: PendingWrite[] = []
  #snappy = false
  /** Why the session ended; set once. */
  #error: Error | undefined
  /** The remote closed its side: queued messages are still delivered, then `#error`. */
  #ended = false
  #readTimer: TimerHandle | undefined
  #drainTimer: TimerHandle | undefined
  #closeTimer: TimerHandle | undefined
  #blocked = false
  #corked = false

  constructor(
    socket: Socket,
    secrets: Secrets,
    options: RlpxConnectionOptions = {},
    leftover?: Uint8Array,
  ) {
    this.#socket = socket
    this.remoteId = secrets.remoteId
    this.remoteAddress = options.remoteAddress ?? {
      ip: normalizeIp(socket.remoteAddress ?? ''),
      port: socket.remotePort ?? 0,
    }
    this.#reader = new FrameReader(secrets, { maxFrameSize: options.maxFrameSize ?? maxFrameSize })
    this.#writer = new FrameWriter(secrets)
    this.#clock = options.clock ?? systemClock
    this.#frameRead = options.frameRead ?? rlpxTimeouts.frameRead
    this.#frameWrite = options.frameWrite ?? rlpxTimeouts.frameWrite
    this.#maxQueued = options.maxQueued ?? 64
    this.#maxPendingWrites = options.maxPendingWrites ?? 1024
    socket.on('data', this.#onData)
    socket.on('end', this.#onEnd)
    socket.on('close', this.#onClose)
    socket.on('error', this.#onError)
    socket.on('drain', this.#onDrain)
    if (leftover && leftover.length > 0) this.#onData(leftover)
  }

  /** Whether snappy is on. */
  get snappy(): boolean {
    return this.#snappy
  }

  /** True once the session ended (closed here, by the remote, or by an error). */
  get closed(): boolean {
    return this.#error !== undefined
  }

  setSnappy(on: boolean): void {
    this.#snappy = on
  }

  readMsg(): Promise<Msg> {
    const raw = this.#queue.shift()
    if (raw) {
      this.#maybeResume()
      try {
        return Promise.resolve(this.#toMsg(raw))
      } catch (err) {
        this.#fail(err as Error)
        return Promise.reject(err)
      }
    }
    if (this.#error) return Promise.reject(this.#error)
    return new Promise<Msg>((resolve, reject) => {
      this.#readers.push({ resolve, reject })
      this.#armReadTimer()
    })
  }

  writeMsg(code: number, payload: Uint8Array): Promise<void> {
    if (this.#error) return Promise.reject(this.#error)
    if (!this.#blocked && this.#writes.length === 0) {
      try {
        this.#write(code, payload, this.#snappy)
      } catch (err) {
        return Promise.reject(err)
      }
      return Promise.resolve()
    }
    if (this.#writes.length >= this.#maxPendingWrites) {
      return Promise.reject(new RlpxError('ERR_WRITE_QUEUE_FULL', 'too many writes pending'))
    }
    return new Promise<void>((resolve, reject) => {
      this.#writes.push({ code, payload, snappy: this.#snappy, resolve, reject })
    })
  }

  /**
   * Ends the session: reads and queued writes reject, what was already written is flushed
   * (bounded by the write timeout), then the socket is destroyed. Idempotent.
   */
  close(): void {
    if (this.#error) return
    this.#finish(new RlpxError('ERR_CONN_CLOSED', 'connection closed'))
    const socket = this.#socket
    if (socket.destroyed) return
    socket.end(() => socket.destroy())
    this.#closeTimer = this.#clock.setTimeout(() => socket.destroy(), this.#frameWrite)
  }

  #write(code: number, payload: Uint8Array, snappy: boolean): void {
    if (payload.length > maxMessageSize) {
      throw new RlpxError('ERR_MSG_TOO_LARGE', `message of ${payload.length} bytes exceeds 16 MiB`)
    }
    const data = snappy ? snappyCompress(payload) : payload
    const frame = this.#writer.encode(code, data)
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
      }, this.#frameWrite)
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
    while (!this.#blocked && !this.#error) {
      const w = this.#writes.shift()
      if (!w) break
      try {
        this.#write(w.code, w.payload, w.snappy)
        w.resolve()
      } catch (err) {
        w.reject(err)
      }
    }
  }

  #toMsg(raw: RawMsg): Msg {
    let payload = raw.data
    if (this.#snappy) {
      try {
        payload = snappyUncompress(raw.data, maxMessageSize)
      } catch (err) {
        // @ethereumjs/devp2p sends Disconnect uncompressed even with snappy on (its Peer's
        // `_sendMessage`; test/interop covers it), so an undecodable Disconnect is read as is.
        if (raw.code !== disconnectCode || (err as RlpxError).code === 'ERR_MSG_TOO_LARGE')
          throw err
      }
    }
    return { code: raw.code, size: payload.length, payload, receivedAt: raw.receivedAt }
  }

  readonly #onData = (chunk: Uint8Array): void => {
    if (this.#error) return
    this.#reader.push(chunk)
    try {
      for (;;) {
        const content = this.#reader.next()
        if (!content) break
        const { code, data } = decodeMsgCode(content)
        if (data.length > maxMessageSize) {
          throw new RlpxError('ERR_MSG_TOO_LARGE', `message of ${data.length} bytes exceeds 16 MiB`)
        }
        this.#deliver({ code, data, receivedAt: this.#clock.now() })
      }
    } catch (err) {
      this.#fail(err as Error)
      return
    }
    if (this.#queue.length >= this.#maxQueued) this.#socket.pause()
  }

  #deliver(raw: RawMsg): void {
    const reader = this.#readers.shift()
    if (!reader) {
      this.#queue.push(raw)
      return
    }
    this.#clearReadTimer()
    if (this.#readers.length > 0) this.#armReadTimer()
    try {
      reader.resolve(this.#toMsg(raw))
    } catch (err) {
      reader.reject(err)
      throw err
    }
  }

  #maybeResume(): void {
    if (this.#queue.length < this.#maxQueued / 2 && this.#socket.isPaused() && !this.#error) {
      this.#socket.resume()
    }
  }

  #armReadTimer(): void {
    if (this.#readTimer !== undefined) return
    this.#readTimer = this.#clock.setTimeout(() => {
      this.#readTimer = undefined
      this.#fail(new TimeoutError('RLPx frame read timeout'))
    }, this.#frameRead)
  }

  #clearReadTimer(): void {
    if (this.#readTimer !== undefined) this.#clock.clearTimeout(this.#readTimer)
    this.#readTimer = undefined
  }

  readonly #onEnd = (): void => {
    this.#ended = true
    this.#finish(new RlpxError('ERR_CONN_CLOSED', 'connection closed by the remote'), true)
  }

  readonly #onClose = (): void => {
    this.#finish(new RlpxError('ERR_CONN_CLOSED', 'connection closed'), this.#ended)
    if (this.#closeTimer !== undefined) this.#clock.clearTimeout(this.#closeTimer)
    this.#closeTimer = undefined
  }

  readonly #onError = (err: Error): void => {
    this.#fail(new RlpxError('ERR_CONN_CLOSED', `socket error: ${err.message}`, { cause: err }))
  }

  /** Ends the session because of `err` and destroys the socket at once. */
  #fail(err: Error): void {
    this.#finish(err)
    this.#socket.destroy()
  }

  /** Records why the session ended, rejects waiters, stops timers. `keepQueue` after a clean EOF. */
  #finish(err: Error, keepQueue = false): void {
    if (this.#error) return
    this.#error = err
    if (!keepQueue) this.#queue.length = 0
    this.#clearReadTimer()
    if (this.#drainTimer !== undefined) this.#clock.clearTimeout(this.#drainTimer)
    this.#drainTimer = undefined
    for (const r of this.#readers.splice(0)) r.reject(err)
    for (const w of this.#writes.splice(0)) w.reject(err)
  }
}
