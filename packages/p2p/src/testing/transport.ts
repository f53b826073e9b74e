import type { NodeId } from '@x/discover'
import { PipeClosedError } from '../errors.js'
import { type Msg, type MsgPipeEnd, msgPipe, type Transport } from '../message.js'

/** One end of an in-memory transport pair. */
export interface MemoryTransport extends Transport {
  /** Whether `setSnappy(true)` was called (nothing is compressed in memory). */
  readonly snappy: boolean
  /** True once this end was closed, or once it read the remote's close. */
  readonly closed: boolean
}

export interface TransportPairOptions {
  /** Clock for `receivedAt` (default `Date.now`). */
  now?: () => number
  /** Messages buffered per direction (default 64). */
  capacity?: number
  /** Address each end reports for its remote. */
  addressA?: { ip: string; port: number }
  addressB?: { ip: string; port: number }
}

/** Marks the end of the stream, like a TCP FIN: never delivered to the reader. */
const eofCode = -1

class PipeTransport implements MemoryTransport {
  #closed = false
  #snappy = false
  readonly #pending = new Set<(err: unknown) => void>()

  constructor(
    private readonly end: MsgPipeEnd,
    readonly remoteId: NodeId,
    readonly remoteAddress: { ip: string; port: number },
  ) {}

  get snappy(): boolean {
    return this.#snappy
  }

  get closed(): boolean {
    return this.#closed
  }

  setSnappy(on: boolean): void {
    this.#snappy = on
  }

  readMsg(): Promise<Msg> {
    if (this.#closed) return Promise.reject(new PipeClosedError())
    return new Promise<Msg>((resolve, reject) => {
      this.#pending.add(reject)
      this.end.readMsg().then(
        (msg) => {
          this.#pending.delete(reject)
          if (msg.code !== eofCode) {
            resolve(msg)
            return
          }
          this.#closed = true
          this.end.close()
          reject(new PipeClosedError())
        },
        (err: unknown) => {
          this.#pending.delete(reject)
          this.#closed = true
          reject(err)
        },
      )
    })
  }

  writeMsg(code: number, payload: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new PipeClosedError())
    return this.end.writeMsg(code, payload)
  }

  /** Closes this end; the remote still reads what was written before, then the close. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    const err = new PipeClosedError()
    for (const reject of this.#pending) reject(err)
    this.#pending.clear()
    this.end.writeMsg(eofCode, new Uint8Array()).catch(() => {})
  }
}

/**
 * Two connected in-memory transports, as after an RLPx handshake between node `idA` and node
 * `idB`: end A's `remoteId` is `idB` and vice versa. Built on {@link msgPipe}. Closing one end
 * behaves like closing a socket: the other end reads what was written before, then fails.
 */
export function transportPair(
  idA: NodeId,
  idB: NodeId,
  options: TransportPairOptions = {},
): [MemoryTransport, MemoryTransport] {
  const pipeOptions: { now?: () => number; capacity?: number } = {}
  if (options.now) pipeOptions.now = options.now
  if (options.capacity !== undefined) pipeOptions.capacity = options.capacity
  const [a, b] = msgPipe(pipeOptions)
  return [
    new PipeTransport(a, idB, options.addressB ?? { ip: '127.0.0.1', port: 30302 }),
    new PipeTransport(b, idA, options.addressA ?? { ip: '127.0.0.1', port: 30301 }),
  ]
}
