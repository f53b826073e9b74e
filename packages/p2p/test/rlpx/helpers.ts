import { connect, createServer, type Server as NetServer, type Socket } from 'node:net'
import { generatePrivateKey, type NodeId, nodeIdFromPrivateKey } from '@x/discover'
import {
  FrameWriter,
  handleAck,
  makeAuth,
  type RlpxConnection,
  type RlpxSessionOptions,
  readHandshakePacket,
  rlpxAccept,
} from '../../src/index.js'
import { useCleanups } from '../cleanups.js'
import { SocketBytes } from '../interop/ejs-rlpx-raw.js'

/** A listener on 127.0.0.1:0 running our RLPx recipient on every socket. */
export interface TestListener {
  key: Uint8Array
  id: Uint8Array
  port: number
  server: NetServer
  /** One entry per accepted socket: the handshake's outcome. */
  accepted: Promise<RlpxConnection>[]
  next(): Promise<RlpxConnection>
  sockets: Socket[]
  close(): Promise<void>
}

export async function listen(options: Partial<RlpxSessionOptions> = {}): Promise<TestListener> {
  const key = generatePrivateKey()
  const accepted: Promise<RlpxConnection>[] = []
  const sockets: Socket[] = []
  const waiters: ((p: Promise<RlpxConnection>) => void)[] = []
  let taken = 0
  const server = createServer((socket) => {
    sockets.push(socket)
    const p = rlpxAccept(socket, { privateKey: key, ...options })
    p.catch(() => {})
    accepted.push(p)
    const w = waiters.shift()
    if (w) w(p)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  return {
    key,
    id: nodeIdFromPrivateKey(key),
    port,
    server,
    accepted,
    sockets,
    next: () => {
      const p = accepted[taken]
      taken++
      if (p) return p
      return new Promise<RlpxConnection>((r, j) => waiters.push((q) => q.then(r, j)))
    },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

/**
 * A test file's fixture: the cleanups run after each test, and what they close: `listener()`, a
 * {@link listen}; `rawSocket(port)`, a connected plain socket; `handshaken(port, remoteId)`, a
 * plain socket on which the RLPx handshake was done by hand, with a writer for frames by hand;
 * `rawServer(onSocket)`, a plain listener.
 * Call once at the top of the file.
 */
export function rlpxFixture() {
  const cleanups = useCleanups()
  async function listener(options?: Partial<RlpxSessionOptions>): Promise<TestListener> {
    const l = await listen(options)
    cleanups.push(() => l.close())
    return l
  }
  function rawSocket(port: number): Promise<Socket> {
    const s = connect({ host: '127.0.0.1', port })
    cleanups.push(() => {
      s.destroy()
    })
    return new Promise((r) => s.once('connect', () => r(s)))
  }
  async function handshaken(
    port: number,
    remoteId: NodeId,
  ): Promise<{ socket: Socket; writer: FrameWriter }> {
    const socket = await rawSocket(port)
    const bytes = new SocketBytes(socket)
    const key = generatePrivateKey()
    const { state, packet } = makeAuth(key, remoteId)
    socket.write(packet)
    const prefix = await bytes.read(2)
    const rest = await bytes.read((prefix[0]! << 8) | prefix[1]!)
    const ack = readHandshakePacket('ack', Buffer.concat([prefix, rest]), key)
    return { socket, writer: new FrameWriter(handleAck(state, ack as NonNullable<typeof ack>)) }
  }
  /** A plain listener on 127.0.0.1:0 handing each socket to `onSocket`; resolves to its port. */
  async function rawServer(onSocket: (s: Socket) => void): Promise<number> {
    const sockets: Socket[] = []
    const srv = createServer((s) => {
      sockets.push(s)
      onSocket(s)
    })
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    cleanups.push(async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => srv.close(() => r()))
    })
    return (srv.address() as { port: number }).port
  }
  return { cleanups, listener, rawSocket, handshaken, rawServer }
}

/** Active TCP handles of this process (sockets and servers), for leak checks. */
export function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length
}
