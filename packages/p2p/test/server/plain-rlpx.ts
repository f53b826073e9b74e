import { connect, type Socket } from 'node:net'
import { equalBytes } from '@x/core'
import { nodeIdFromPrivateKey } from '@x/discover'
import type { Msg, RlpxHandshaker, Transport } from '../../src/index.js'

/**
 * A stand-in for RLPx so the TCP plumbing is tested alone: each side sends its 64-byte ID in
 * clear, then messages are `len(4) ‖ code(1) ‖ payload`.
 */
function plainTransport(
  socket: Socket,
  ourId: Uint8Array,
  expectId?: Uint8Array,
): Promise<Transport> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0)
    let remoteId: Uint8Array | undefined
    const queue: Msg[] = []
    const readers: { resolve(m: Msg): void; reject(e: unknown): void }[] = []
    let closed: Error | undefined
    let address = { ip: '', port: 0 }
    const fail = (err: Error) => {
      closed ??= err
      for (const r of readers.splice(0)) r.reject(closed)
      reject(closed)
    }
    socket.on('error', fail)
    socket.on('close', () => fail(new Error('closed')))
    socket.write(ourId)
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      if (!remoteId) {
        if (buf.length < 64) return
        remoteId = new Uint8Array(buf.subarray(0, 64))
        address = { ip: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }
        buf = buf.subarray(64)
        if (expectId && !equalBytes(expectId, remoteId)) {
          socket.destroy()
          fail(new Error('wrong key'))
          return
        }
        resolve(transport)
      }
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(0)) {
        const len = buf.readUInt32BE(0)
        const payload = new Uint8Array(buf.subarray(5, 5 + len))
        const msg = { code: buf[4] as number, size: len, payload, receivedAt: Date.now() }
        buf = buf.subarray(5 + len)
        const r = readers.shift()
        if (r) r.resolve(msg)
        else queue.push(msg)
      }
    })
    const transport: Transport = {
      get remoteId() {
        return remoteId as Uint8Array
      },
      // Read once the remote's ID arrived: a dialed socket knows its peer only once connected.
      get remoteAddress() {
        return address
      },
      readMsg: () => {
        const m = queue.shift()
        if (m) return Promise.resolve(m)
        if (closed) return Promise.reject(closed)
        return new Promise((res, rej) => readers.push({ resolve: res, reject: rej }))
      },
      writeMsg: (code, payload) => {
        if (closed) return Promise.reject(closed)
        const head = Buffer.alloc(5)
        head.writeUInt32BE(payload.length, 0)
        head[4] = code
        socket.write(Buffer.concat([head, payload]))
        return Promise.resolve()
      },
      setSnappy: () => {},
      close: () => {
        socket.end()
      },
    }
  })
}

export const plainRlpx: RlpxHandshaker = {
  connect: ({ privateKey, remoteId, host, port }) =>
    plainTransport(
      connect({ host, port, noDelay: true }),
      nodeIdFromPrivateKey(privateKey),
      remoteId,
    ),
  accept: (socket, { privateKey }) => plainTransport(socket, nodeIdFromPrivateKey(privateKey)),
}
