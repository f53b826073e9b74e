import type { Socket } from 'node:net'
import { ECIES } from '@ethereumjs/devp2p'
import { concatBytes, encodeRlp } from '@x/core'
import * as snappy from 'snappyjs'

/** Reads exact byte counts from a socket (test helper; the socket is owned by the caller). */
export class SocketBytes {
  #chunks: Uint8Array[] = []
  #size = 0
  #wait: (() => void) | undefined
  #error: Error | undefined

  constructor(socket: Socket) {
    socket.on('data', (c: Uint8Array) => {
      this.#chunks.push(c)
      this.#size += c.length
      this.#wait?.()
    })
    socket.on('close', () => {
      this.#error = new Error('socket closed')
      this.#wait?.()
    })
    socket.on('error', () => {})
  }

  async read(n: number): Promise<Uint8Array> {
    while (this.#size < n) {
      if (this.#error) throw this.#error
      await new Promise<void>((r) => {
        this.#wait = r
      })
      this.#wait = undefined
    }
    const all = Buffer.concat(this.#chunks)
    this.#chunks = [all.subarray(n)]
    this.#size -= n
    return new Uint8Array(all.subarray(0, n))
  }
}

type EciesInternals = { _gotEIP8Auth: boolean; _gotEIP8Ack: boolean }

/**
 * ethereumjs's own RLPx session object (`ECIES`: handshake and frame codec) driven directly on a
 * socket, without its Peer: the independent implementation our handshake and framing must meet.
 */
export class EjsRawSession {
  snappy = false
  readonly #ecies: ECIES
  readonly #socket: Socket
  readonly #bytes: SocketBytes

  private constructor(ecies: ECIES, socket: Socket) {
    this.#ecies = ecies
    this.#socket = socket
    this.#bytes = new SocketBytes(socket)
  }

  /** Initiator: sends an EIP-8 auth, reads the ack. */
  static async initiate(
    socket: Socket,
    key: Uint8Array,
    id: Uint8Array,
    remoteId: Uint8Array,
  ): Promise<EjsRawSession> {
    const s = new EjsRawSession(new ECIES(key, id, remoteId), socket)
    socket.write(s.#ecies.createAuthEIP8() as Uint8Array)
    const prefix = await s.#bytes.read(2)
    const rest = await s.#bytes.read((prefix[0]! << 8) | prefix[1]!)
    ;(s.#ecies as unknown as EciesInternals)._gotEIP8Ack = true
    s.#ecies.parseAckEIP8(Buffer.concat([prefix, rest]))
    return s
  }

  /** Recipient: reads an EIP-8 auth, answers with an ack. */
  static async respond(socket: Socket, key: Uint8Array, id: Uint8Array): Promise<EjsRawSession> {
    const s = new EjsRawSession(new ECIES(key, id, null as unknown as Uint8Array), socket)
    const prefix = await s.#bytes.read(2)
    const rest = await s.#bytes.read((prefix[0]! << 8) | prefix[1]!)
    ;(s.#ecies as unknown as EciesInternals)._gotEIP8Auth = true
    s.#ecies.parseAuthEIP8(Buffer.concat([prefix, rest]))
    socket.write(s.#ecies.createAckEIP8() as Uint8Array)
    return s
  }

  /** Encodes one frame the way ethereumjs's Peer does. */
  frame(code: number, payload: Uint8Array): Uint8Array {
    const data = this.snappy ? snappy.compress(payload) : payload
    const msg = concatBytes(encodeRlp(code), data)
    const header = this.#ecies.createBlockHeader(msg.length) as Uint8Array
    const body = this.#ecies.createBody(msg) as Uint8Array
    return Buffer.concat([header, body])
  }

  write(code: number, payload: Uint8Array): void {
    this.#socket.write(this.frame(code, payload))
  }

  async read(): Promise<{ code: number; payload: Uint8Array }> {
    const size = this.#ecies.parseHeader(await this.#bytes.read(32)) as number
    const body = this.#ecies.parseBody(await this.#bytes.read(Math.ceil(size / 16) * 16 + 16))
    const content = body as Uint8Array
    const code = content[0] === 0x80 ? 0 : content[0]!
    const data = content.subarray(1)
    return { code, payload: this.snappy ? new Uint8Array(snappy.uncompress(data)) : data }
  }
}
