import { connect, type Socket } from 'node:net'
import { nodeIdFromPrivateKey } from '@x/discover'
import type { Msg, RlpxHandshaker, Transport } from '@x/p2p'

/**
 * A plaintext stand-in for RLPx over real TCP, for socket tests until RLPx lands: each side
 * sends its 64-byte node ID, then messages go as `length(4) ‖ code(1) ‖ payload`. No
 * authentication: tests only.
 */
export const plainHandshaker: RlpxHandshaker = {
  connect({ privateKey, remoteId, host, port, signal }) {
    const socket = connect({ host, port, noDelay: true })
    return plainTransport(socket, nodeIdFromPrivateKey(privateKey), remoteId, signal)
  },
  accept(socket, { privateKey, signal }) {
    return plainTransport(socket, nodeIdFromPrivateKey(privateKey), undefined, signal)
  },
}

function plainTransport(
  socket: Socket,
  ourId: Uint8Array,
  expectId: Uint8Array | undefined,
  signal: AbortSignal | undefined,
): Promise<Transport> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0)
    let remoteId: Uint8Array | undefined
    let closed: Error | undefined
    const inbox: Msg[] = []
    const readers: { resolve(m: Msg): void; reject(e: unknown): void }[] = []
    const fail = (err: Error) => {
      closed ??= err
      for (const r of readers.splice(0)) r.reject(closed)
      reject(closed)
    }
    const onAbort = () => {
      socket.destroy()
      fail(new Error('aborted'))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.on('error', fail)
    socket.on('close', () => fail(new Error('connection closed')))
    socket.write(ourId)
    const transport: Transport = {
      get remoteId() {
        return remoteId as Uint8Array
      },
      get remoteAddress() {
        return { ip: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }
      },
      readMsg() {
        const m = inbox.shift()
        if (m) return Promise.resolve(m)
        if (closed) return Promise.reject(closed)
        return new Promise((res, rej) => readers.push({ resolve: res, reject: rej }))
      },
      writeMsg(code, payload) {
        if (closed) return Promise.reject(closed)
        const head = Buffer.alloc(5)
        head.writeUInt32BE(payload.length, 0)
        head[4] = code
        socket.write(Buffer.concat([head, payload]))
        return Promise.resolve()
      },
      setSnappy() {},
      close() {
        socket.destroy()
      },
    }
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      if (!remoteId) {
        if (buf.length < 64) return
        remoteId = new Uint8Array(buf.subarray(0, 64))
        buf = buf.subarray(64)
        signal?.removeEventListener('abort', onAbort)
        if (expectId && Buffer.compare(Buffer.from(expectId), Buffer.from(remoteId)) !== 0) {
          socket.destroy()
          fail(new Error('unexpected node ID'))
          return
        }
        resolve(transport)
      }
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(0)) {
        const len = buf.readUInt32BE(0)
        const msg: Msg = {
          code: buf[4]!,
          size: len,
          payload: new Uint8Array(buf.subarray(5, 5 + len)),
          receivedAt: Date.now(),
        }
        buf = buf.subarray(5 + len)
        const r = readers.shift()
        if (r) r.resolve(msg)
        else inbox.push(msg)
      }
    })
  })
}
