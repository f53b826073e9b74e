import { createServer, type Socket } from 'node:net'
import { type Logger, noopLogger, normalizeIp } from '@x/core'
import type { NodeId } from '@x/discover'
import type { Transport } from '../message.js'
import type { InboundConn, Listener, Network } from './network.js'

/** RLPx handshake timeouts, passed through to the RLPx implementation. */
export interface RlpxTimeouts {
  handshake?: number
  frameRead?: number
  frameWrite?: number
}

/**
 * The RLPx entry points the TCP network needs (implemented in `rlpx/`): dial and handshake as
 * the initiator, and handshake as the recipient on an accepted socket.
 */
export interface RlpxHandshaker {
  connect(options: {
    privateKey: Uint8Array
    remoteId: NodeId
    host: string
    port: number
    signal?: AbortSignal
    timeouts?: RlpxTimeouts
  }): Promise<Transport>
  accept(
    socket: Socket,
    options: { privateKey: Uint8Array; signal?: AbortSignal; timeouts?: RlpxTimeouts },
  ): Promise<Transport>
}

export interface TcpNetworkOptions {
  timeouts?: RlpxTimeouts
  logger?: Logger
}

/**
 * RLPx over TCP: listens with `node:net` (TCP_NODELAY on every socket) and hands each accepted
 * socket to the RLPx recipient handshake; dials through the RLPx initiator.
 */
export function tcpNetwork(rlpx: RlpxHandshaker, options: TcpNetworkOptions = {}): Network {
  const log = options.logger ?? noopLogger
  const timeouts = options.timeouts ? { timeouts: options.timeouts } : {}
  return {
    async listen(address, local, onConn): Promise<Listener> {
      const server = createServer({ noDelay: true })
      server.on('connection', (socket: Socket) => {
        socket.setNoDelay(true)
        // Errors before the handshake owns the socket must not crash the process.
        socket.on('error', (err) => log.debug('inbound socket error', { err: String(err) }))
        const ip = socket.remoteAddress
        const port = socket.remotePort
        if (ip === undefined || port === undefined) {
          socket.destroy()
          return
        }
        const conn: InboundConn = {
          remoteAddress: { ip: normalizeIp(ip), port },
          handshake: ({ signal }) =>
            rlpx.accept(socket, { privateKey: local.privateKey, signal, ...timeouts }),
          close: () => socket.destroy(),
        }
        onConn(conn)
      })
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(address.port, address.ip, () => {
          server.off('error', reject)
          resolve()
        })
      })
      server.on('error', (err) => log.warn('listener error', { err: String(err) }))
      const bound = server.address()
      const port = typeof bound === 'object' && bound !== null ? bound.port : address.port
      return {
        address: { ip: address.ip, port },
        // Stops accepting at once; established links belong to their peers.
        close: async () => {
          server.close()
        },
      }
    },
    dial(node, local, { signal }) {
      return rlpx.connect({
        privateKey: local.privateKey,
        remoteId: node.id,
        host: node.ip,
        port: node.tcp,
        signal,
        ...timeouts,
      })
    },
  }
}
