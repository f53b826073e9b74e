import { encodeRlp, equalBytes, type RlpInput, toHex } from '@x/core'
import type { NodeId } from '@x/discover'
import { PipeClosedError, UnexpectedMsgError } from './errors.js'

/*
 * The message layer (go-ethereum's p2p/message.go): `Msg` and the reader/writer interfaces,
 * `send`/`sendItems`, `expectMsg`, the read loop `readMsgs`, the in-memory `msgPipe`, and the
 * message events a metered peer reports.
 */

/**
 * A devp2p message: `code` (base protocol 0x00–0x0f, sub-protocols after, by offset) and its RLP
 * `payload` (decompressed). `size` is the payload length; `receivedAt` is when it was read (ms).
 */
export interface Msg {
  code: number
  size: number
  payload: Uint8Array
  receivedAt: number
}

export interface MsgReader {
  /** Resolves with the next message; rejects with a typed error when the link fails or closes. */
  readMsg(): Promise<Msg>
}

export interface MsgWriter {
  /** Writes one message; resolves once it is handed to the socket. */
  writeMsg(code: number, payload: Uint8Array): Promise<void>
}

export interface MsgReadWriter extends MsgReader, MsgWriter {}

/**
 * An established, authenticated link to a peer after the RLPx handshake (go-ethereum's
 * `transport`): the peer layer runs the hello exchange and the protocols over it.
 */
export interface Transport extends MsgReadWriter {
  /** The remote's node ID, authenticated by the handshake. */
  readonly remoteId: NodeId
  readonly remoteAddress: { ip: string; port: number }
  /** Turns snappy compression on for both directions (when both hellos say version ≥ 5). */
  setSnappy(on: boolean): void
  /** Closes the link; pending and later reads reject. Idempotent. */
  close(): void
}

/** RLP-encodes `data` and writes it as message `code` (go-ethereum's `p2p.Send`). */
export function send(w: MsgWriter, code: number, data: RlpInput): Promise<void> {
  return w.writeMsg(code, encodeRlp(data))
}

/** Writes the list of `elems` as message `code` (go-ethereum's `p2p.SendItems`). */
export function sendItems(w: MsgWriter, code: number, ...elems: RlpInput[]): Promise<void> {
  return w.writeMsg(code, encodeRlp(elems))
}

/**
 * The messages of `r`, one at a time, until `signal` aborts: then the pending read is abandoned
 * and the iteration ends by throwing the abort reason (a protocol's `run` catches it and returns
 * when `signal.aborted`). A read error ends it the same way. Each read's abort listener is
 * removed once that read settles, so nothing a loop has read stays reachable from the signal.
 *
 * ```ts
 * for await (const msg of readMsgs(rw, peer.signal)) handle(msg)
 * ```
 */
export async function* readMsgs(r: MsgReader, signal: AbortSignal): AsyncGenerator<Msg, never> {
  for (;;) yield await readOrAbort(r, signal)
}

/**
 * One read that rejects with `signal.reason` on abort; its abort listener goes with it. (Racing
 * every read against one promise that lives as long as the signal kept each message alive
 * through that promise's reactions until the peer ended.)
 */
function readOrAbort(r: MsgReader, signal: AbortSignal): Promise<Msg> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<Msg>((resolve, reject) => {
    const onAbort = () => {
      signal.removeEventListener('abort', onAbort)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort)
    r.readMsg().then(
      (msg) => {
        signal.removeEventListener('abort', onAbort)
        resolve(msg)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}

/**
 * Reads one message and checks its code and, when `content` is given, that its payload is the
 * RLP encoding of `content` (go-ethereum's `p2p.ExpectMsg`). Resolves with the message.
 */
export async function expectMsg(r: MsgReader, code: number, content?: RlpInput): Promise<Msg> {
  const msg = await r.readMsg()
  if (msg.code !== code) {
    throw new UnexpectedMsgError(`expected message code ${code}, got ${msg.code}`)
  }
  if (content !== undefined) {
    const want = encodeRlp(content)
    if (!equalBytes(want, msg.payload)) {
      throw new UnexpectedMsgError(
        `message ${code} payload mismatch: want ${toHex(want)}, got ${toHex(msg.payload)}`,
      )
    }
  }
  return msg
}

/**
 * Message events for metrics (go-ethereum's `msgEventer`/`PeerEventTypeMsgSend|Recv`): one per
 * message a peer sends or receives, base protocol (`p2p`) included. Reported only when a sink
 * is given (the server's `messageEvents` option), so the default path pays nothing.
 */
export interface MsgEvent {
  direction: 'sent' | 'received'
  /** The peer's node ID, 128 hex characters. */
  peer: string
  /** Protocol name (`p2p` for the base protocol). */
  protocol: string
  /** The protocol-local message code (wire code minus the protocol's offset). */
  code: number
  /** Payload bytes (before compression). */
  size: number
}

export type MsgEventSink = (event: MsgEvent) => void

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
