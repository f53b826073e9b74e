import { connect, type Socket } from 'node:net'
import { generatePrivateKey, Node, nodeIdFromPrivateKey } from '@x/discover'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DisconnectReason,
  type Msg,
  type RlpxHandshaker,
  Server,
  type Transport,
  tcpNetwork,
} from '../../src/index.js'
import { echoProtocol, nextEvent } from './helpers.js'

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
        buf = buf.subarray(64)
        if (expectId && Buffer.compare(Buffer.from(expectId), Buffer.from(remoteId)) !== 0) {
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
      remoteAddress: { ip: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
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

const plainRlpx: RlpxHandshaker = {
  connect: ({ privateKey, remoteId, host, port }) =>
    plainTransport(
      connect({ host, port, noDelay: true }),
      nodeIdFromPrivateKey(privateKey),
      remoteId,
    ),
  accept: (socket, { privateKey }) => plainTransport(socket, nodeIdFromPrivateKey(privateKey)),
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
})

describe('tcpNetwork', () => {
  it('connects two servers over TCP on 127.0.0.1 (port 0) and stops cleanly', async () => {
    const mk = (staticNodes: Node[] = []) => {
      const s = new Server({
        privateKey: generatePrivateKey(),
        network: tcpNetwork(plainRlpx),
        listenAddress: { ip: '127.0.0.1', port: 0 },
        protocols: [echoProtocol()],
        staticNodes,
      })
      servers.push(s)
      return s
    }
    const b = mk()
    await b.start()
    const port = b.listenAddress?.port as number
    expect(port).toBeGreaterThan(0)
    const a = mk([new Node({ id: b.id, ip: '127.0.0.1', udp: port, tcp: port })])
    const added = nextEvent(b, 'peer:added')
    const addedA = nextEvent(a, 'peer:added')
    await a.start()
    const { peer } = await added
    await addedA
    expect(peer.remoteAddress.ip).toBe('127.0.0.1')
    expect(peer.inbound).toBe(true)
    const removed = nextEvent(b, 'peer:removed')
    await a.stop()
    const r = await removed
    expect(r.remote).toBe(true)
    expect(r.reason).toBe(DisconnectReason.ClientQuitting)
  })
})
