import { PipeClosedError } from './errors.js'
import type { Msg, MsgReadWriter } from './message.js'

/** One end of an in-memory message pipe. */
export interface MsgPipeEnd extends MsgReadWriter {
  /** Closes both ends: pending and later reads and writes reject with {@link PipeClosedError}. */
  close(): void
  readonly closed: boolean
}

export interface MsgPipeOptions {
  /** Messages buffered per direction before `writeMsg` waits for the reader (default 64). */
  capacity?: number
  /** Clock for `receivedAt` (default `Date.now`). */
  now?: () => number
}

interface Waiter<T> {
  resolve(value: T): void
  reject(err: unknown): void
}

/** A bounded one-way queue of messages with back-pressure on the writer. */
class Channel {
  private readonly buffer: Msg[] = []
  private readonly readers: Waiter<Msg>[] = []
  private readonly writers: { msg: Msg; waiter: Waiter<void> }[] = []
  closed = false

  constructor(private readonly capacity: number) {}

  read(): Promise<Msg> {
    const msg = this.buffer.shift()
    if (msg !== undefined) {
      const blocked = this.writers.shift()
      if (blocked !== undefined) {
        this.buffer.push(blocked.msg)
        blocked.waiter.resolve()
      }
      return Promise.resolve(msg)
    }
    if (this.closed) return Promise.reject(new PipeClosedError())
    return new Promise((resolve, reject) => this.readers.push({ resolve, reject }))
  }

  write(msg: Msg): Promise<void> {
    if (this.closed) return Promise.reject(new PipeClosedError())
    const reader = this.readers.shift()
    if (reader !== undefined) {
      reader.resolve(msg)
      return Promise.resolve()
    }
    if (this.buffer.length < this.capacity) {
      this.buffer.push(msg)
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => this.writers.push({ msg, waiter: { resolve, reject } }))
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    const err = new PipeClosedError()
    for (const r of this.readers.splice(0)) r.reject(err)
    for (const w of this.writers.splice(0)) w.waiter.reject(err)
    this.buffer.length = 0
  }
}

/**
 * An in-memory, bidirectional message pipe (go-ethereum's `p2p.MsgPipe`): what one end writes,
 * the other reads, in order. For tests of protocols and peers without sockets.
 */
export function msgPipe(options: MsgPipeOptions = {}): [MsgPipeEnd, MsgPipeEnd] {
  const capacity = options.capacity ?? 64
  const now = options.now ?? Date.now
  const ab = new Channel(capacity)
  const ba = new Channel(capacity)
  const close = () => {
    ab.close()
    ba.close()
  }
  const end = (inbox: Channel, outbox: Channel): MsgPipeEnd => ({
    readMsg: () => inbox.read(),
    writeMsg: (code, payload) =>
      outbox.write({ code, size: payload.length, payload, receivedAt: now() }),
    close,
    get closed() {
      return inbox.closed
    },
  })
  return [end(ab, ba), end(ba, ab)]
}
