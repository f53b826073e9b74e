import type { Socket } from 'node:net'
import { type Clock, normalizeIp, systemClock, TimeoutError, type TimerHandle } from '@x/core'
import type { NodeId } from '@x/discover'
import { RlpxError } from '../errors.js'
import { disconnectCode } from '../hello.js'
import type { Msg, Transport } from '../message.js'
import { decodeMsgCode, FrameReader, FrameWriter, maxFrameSize, maxMessageSize } from './frame.js'
import { macCipher } from './mac.js'
import type { Secrets } from './secrets.js'
import { snappyDecodedLength, snappyUncompress } from './snappy.js'
import { SessionWrites } from './writes.js'

/** Timeouts as go-ethereum's (ms). */
export const rlpxTimeouts = {
  handshake: 5_000,
  frameRead: 30_000,
  frameWrite: 20_000,
} as const

/**
 * What one session may hold (go-ethereum holds about one message per peer: its read loop blocks
 * on the protocol, its writers on the socket). Bytes of received messages count their
 * decompressed size, so compressible messages cannot pin more than the bound.
 */
export const rlpxLimits = {
  /** Received messages held before the socket is paused. */
  maxQueued: 64,
  /** Received bytes (decompressed size) held before the socket is paused: 1 MiB. */
  maxQueuedBytes: 1024 * 1024,
  /** Writes waiting behind a full socket buffer before `writeMsg` rejects. */
  maxPendingWrites: 1024,
  /** Payload bytes of those writes: 16 MiB (one more write is always taken when none waits). */
  maxPendingWriteBytes: 16 * 1024 * 1024,
  /**
   * Frame bytes written in one turn of the event loop before writes resolve only on the next
   * turn: a protocol awaiting `writeMsg` in a loop lets timers and I/O run every 64 KiB, even
   * while the kernel takes everything at once.
   */
  yieldBytes: 64 * 1024,
} as const

export interface RlpxConnectionOptions {
  /** Reading a frame: a pending `readMsg` fails after this long without one (default 30 s). */
  frameRead?: number
  /** Writing: a write stuck behind a full socket buffer fails after this (default 20 s). */
  frameWrite?: number
  clock?: Clock
  /** Received messages held before the socket is paused (default 64). */
  maxQueued?: number
  /** Received bytes, decompressed size, held before the socket is paused (default 1 MiB). */
  maxQueuedBytes?: number
  /** Largest frame accepted from the remote (default and at most 2^24 − 1). */
  maxFrameSize?: number
  /** Writes waiting behind a full socket buffer before `writeMsg` rejects (default 1024). */
  maxPendingWrites?: number
  /** Payload bytes of those writes before `writeMsg` rejects (default 16 MiB). */
  maxPendingWriteBytes?: number
  /** Frame bytes written per turn of the event loop before writes yield (default 64 KiB). */
  yieldBytes?: number
  /**
   * The remote's address as read when the socket connected; a socket forgets it (`remoteAddress`
   * undefined) once the remote has reset it, which may happen before this session is made.
   */
  remoteAddress?: { ip: string; port: number }
}

/** Bytes a session holds: {@link RlpxConnection.heldBytes}. */
export interface HeldBytes {
  /** Received and not yet read: queued messages (decompressed size) and a partial frame. */
  read: number
  /** Written and not yet taken by the kernel: waiting writes and the socket's buffer. */
  write: number
}

interface RawMsg {
  code: number
  data: Uint8Array
  receivedAt: number
  /** What it counts against `maxQueuedBytes`: its decompressed size when snappy is on. */
  cost: number
}

/**
 * An established RLPx session on a socket: reads and writes messages through the frame codec,
 * with snappy when switched on. Received frames queue (bounded in count and in decompressed
 * bytes: the socket is paused when the queue is full) and are decompressed when read, so
 * `setSnappy` after the hello applies to every later message. A write resolves once the socket
 * buffer has room again (after its drain when the write filled it) and, after
 * {@link rlpxLimits.yieldBytes} in one turn, on the next turn of the event loop.
 */
export class RlpxConnection implements Transport {
  readonly remoteId: NodeId
  readonly remoteAddress: { ip: string; port: number }
  readonly #socket: Socket
  readonly #reader: FrameReader
  readonly #writes: SessionWrites
  readonly #clock: Clock
  readonly #frameRead: number
  readonly #frameWrite: number
  readonly #maxQueued: number
  readonly #maxQueuedBytes: number
  readonly #queue: RawMsg[] = []
  #queuedBytes = 0
  readonly #readers: { resolve(m: Msg): void; reject(e: unknown): void }[] = []
  #snappy = false
  /** Why the session ended; set once. */
  #error: Error | undefined
  /** The remote closed its side: queued messages are still delivered, then `#error`. */
  #ended = false
  #readTimer: TimerHandle | undefined
  #closeTimer: TimerHandle | undefined

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
    // One MAC cipher for both directions: the secret is the same.
    const mac = macCipher(secrets.macSecret)
    this.#reader = new FrameReader(secrets, {
      maxFrameSize: options.maxFrameSize ?? maxFrameSize,
      mac,
    })
    this.#clock = options.clock ?? systemClock
    this.#frameRead = options.frameRead ?? rlpxTimeouts.frameRead
    this.#frameWrite = options.frameWrite ?? rlpxTimeouts.frameWrite
    this.#maxQueued = options.maxQueued ?? rlpxLimits.maxQueued
    this.#maxQueuedBytes = options.maxQueuedBytes ?? rlpxLimits.maxQueuedBytes
    this.#writes = new SessionWrites(
      socket,
      new FrameWriter(secrets, { mac }),
      this.#clock,
      {
        frameWrite: this.#frameWrite,
        maxPendingWrites: options.maxPendingWrites ?? rlpxLimits.maxPendingWrites,
        maxPendingWriteBytes: options.maxPendingWriteBytes ?? rlpxLimits.maxPendingWriteBytes,
        yieldBytes: options.yieldBytes ?? rlpxLimits.yieldBytes,
      },
      (err) => this.#fail(err),
    )
    socket.on('data', this.#onData)
    socket.on('end', this.#onEnd)
    socket.on('close', this.#onClose)
    socket.on('error', this.#onError)
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

  /** What this session holds now (bounded by the limits in {@link rlpxLimits}). */
  get heldBytes(): HeldBytes {
    return {
      read: this.#queuedBytes + this.#reader.buffered,
      write: this.#writes.heldBytes,
    }
  }

  readMsg(): Promise<Msg> {
    const raw = this.#queue.shift()
    if (raw) {
      this.#queuedBytes -= raw.cost
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
    return this.#writes.write(code, payload, this.#snappy)
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
    this.#pump()
  }

  /** True when the queue holds as much as it may: frames stay in the reader, the socket pauses. */
  #full(): boolean {
    return this.#queue.length >= this.#maxQueued || this.#queuedBytes >= this.#maxQueuedBytes
  }

  /**
   * Decodes buffered frames into the queue until it is full (`all`: every frame, when the
   * remote has ended), then pauses the socket; a frame that does not decode fails the session.
   */
  #pump(all = false): void {
    try {
      while (all || !this.#full()) {
        const content = this.#reader.next()
        if (!content) break
        const { code, data } = decodeMsgCode(content)
        if (data.length > maxMessageSize) {
          throw new RlpxError('ERR_MSG_TOO_LARGE', `message of ${data.length} bytes exceeds 16 MiB`)
        }
        this.#deliver({ code, data, receivedAt: this.#clock.now(), cost: this.#cost(data) })
      }
    } catch (err) {
      this.#fail(err as Error)
      return
    }
    if (this.#full() && !this.#socket.isPaused()) this.#socket.pause()
  }

  /** A queued message's weight: the size snappy declares (capped at 16 MiB), or its own. */
  #cost(data: Uint8Array): number {
    if (!this.#snappy) return data.length
    try {
      return Math.max(data.length, Math.min(snappyDecodedLength(data).length, maxMessageSize))
    } catch {
      return data.length // fails when read
    }
  }

  #deliver(raw: RawMsg): void {
    const reader = this.#readers.shift()
    if (!reader) {
      this.#queue.push(raw)
      this.#queuedBytes += raw.cost
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
    if (
      this.#queue.length < this.#maxQueued / 2 &&
      this.#queuedBytes < this.#maxQueuedBytes / 2 &&
      this.#socket.isPaused() &&
      !this.#error
    ) {
      this.#pump()
      if (!this.#full() && !this.#error) this.#socket.resume()
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
    if (!this.#error) this.#pump(true)
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
    if (!keepQueue) {
      this.#queue.length = 0
      this.#queuedBytes = 0
    }
    this.#clearReadTimer()
    for (const r of this.#readers.splice(0)) r.reject(err)
    this.#writes.fail(err)
  }
}
