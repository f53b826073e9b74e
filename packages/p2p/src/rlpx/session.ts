import { connect, type Socket } from 'node:net'
import {
  type Clock,
  type CryptoBackend,
  getCrypto,
  normalizeIp,
  systemClock,
  TimeoutError,
} from '@x/core'
import type { NodeId } from '@x/discover'
import { RlpxError } from '../errors.js'
import type { RlpxHandshaker, RlpxTimeouts } from '../server/tcp.js'
import {
  type HandshakeKind,
  legacyAckSize,
  legacyAuthSize,
  maxHandshakePacketSize,
  readHandshakePacket,
} from './auth.js'
import { RlpxConnection, type RlpxConnectionOptions, rlpxTimeouts } from './connection.js'
import { constantTimeEqual } from './ecies.js'
import { handleAck, handleAuth, makeAuth } from './handshake.js'
import type { Secrets } from './secrets.js'

/** Options shared by both ends of the handshake. */
export interface RlpxSessionOptions {
  privateKey: Uint8Array
  signal?: AbortSignal
  /** Handshake 5 s, frame read 30 s, frame write 20 s unless given. */
  timeouts?: RlpxTimeouts
  clock?: Clock
  crypto?: CryptoBackend
  /** Passed to the connection (queue limits). */
  connection?: Pick<
    RlpxConnectionOptions,
    | 'maxQueued'
    | 'maxQueuedBytes'
    | 'maxPendingWrites'
    | 'maxPendingWriteBytes'
    | 'maxFrameSize'
    | 'yieldBytes'
  >
}

export interface RlpxConnectOptions extends RlpxSessionOptions {
  /** The node we dial: its 64-byte public key. */
  remoteId: NodeId
  host: string
  port: number
  /** Local address to dial from (default: chosen by the system). */
  localAddress?: string
}

/**
 * Runs one side of the handshake on `socket`: `start` sends our first packet (if any) and
 * `onPacket` handles the remote's; rejects on timeout, abort, a socket error or bad input,
 * destroying the socket. Bytes after the remote's packet go to the connection.
 */
function handshake(
  socket: Socket,
  kind: HandshakeKind,
  options: RlpxSessionOptions,
  start: () => void,
  onPacket: (buf: Uint8Array) => { secrets: Secrets; consumed: number } | undefined,
  closedEarly: (received: number) => RlpxError,
): Promise<RlpxConnection> {
  const clock = options.clock ?? systemClock
  const t = options.timeouts ?? {}
  return new Promise<RlpxConnection>((resolve, reject) => {
    let buf = new Uint8Array(0)
    let done = false
    // Read while the socket knows it (see RlpxConnectionOptions.remoteAddress).
    let remote = peerAddress(socket)
    const onConnect = () => {
      remote = peerAddress(socket)
    }
    const cleanup = () => {
      done = true
      clock.clearTimeout(timer)
      socket.off('data', onData)
      socket.off('error', onError)
      socket.off('close', onClose)
      socket.off('connect', onConnect)
      options.signal?.removeEventListener('abort', onAbort)
    }
    const fail = (err: unknown) => {
      if (done) return
      cleanup()
      socket.destroy()
      reject(err)
    }
    const onData = (chunk: Uint8Array) => {
      if (buf.length + chunk.length > 2 + maxHandshakePacketSize) {
        fail(new RlpxError('ERR_BAD_HANDSHAKE', `${kind} larger than any handshake packet`))
        return
      }
      const next = new Uint8Array(buf.length + chunk.length)
      next.set(buf)
      next.set(chunk, buf.length)
      buf = next
      let got: ReturnType<typeof onPacket>
      try {
        got = onPacket(buf)
      } catch (err) {
        fail(err)
        return
      }
      if (!got) return
      remote ??= peerAddress(socket)
      if (!remote) {
        fail(new RlpxError('ERR_CONN_CLOSED', 'connection reset during the handshake'))
        return
      }
      cleanup()
      const conn = new RlpxConnection(
        socket,
        got.secrets,
        {
          frameRead: t.frameRead ?? rlpxTimeouts.frameRead,
          frameWrite: t.frameWrite ?? rlpxTimeouts.frameWrite,
          clock,
          remoteAddress: remote,
          ...options.connection,
        },
        buf.subarray(got.consumed),
      )
      resolve(conn)
    }
    const onError = (err: Error) =>
      fail(
        new RlpxError('ERR_CONN_CLOSED', `socket error during handshake: ${err.message}`, {
          cause: err,
        }),
      )
    const onClose = () => fail(closedEarly(buf.length))
    const onAbort = () =>
      fail(options.signal?.reason ?? new RlpxError('ERR_CONN_CLOSED', 'aborted'))
    const timer = clock.setTimeout(
      () => fail(new TimeoutError(`RLPx handshake timeout (${kind})`)),
      t.handshake ?? rlpxTimeouts.handshake,
    )
    socket.on('data', onData)
    socket.on('error', onError)
    socket.on('close', onClose)
    socket.once('connect', onConnect)
    if (options.signal?.aborted) {
      onAbort()
      return
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    if (socket.destroyed) {
      onClose()
      return
    }
    try {
      start()
    } catch (err) {
      fail(err)
    }
  })
}

function peerAddress(socket: Socket): { ip: string; port: number } | undefined {
  const ip = socket.remoteAddress
  const port = socket.remotePort
  return ip === undefined || port === undefined ? undefined : { ip: normalizeIp(ip), port }
}

/**
 * Dials `host:port`, runs the RLPx handshake as initiator and returns the session. The remote
 * must hold the key of `remoteId`: a node that does not cannot decrypt our auth and hangs up,
 * which is reported as `ERR_UNEXPECTED_IDENTITY`.
 */
export function rlpxConnect(options: RlpxConnectOptions): Promise<RlpxConnection> {
  const crypto = options.crypto ?? getCrypto()
  const socket = connect({
    host: options.host,
    port: options.port,
    noDelay: true,
    ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
  })
  let auth: ReturnType<typeof makeAuth> | undefined
  let connected = false
  let tryLegacy = true
  return handshake(
    socket,
    'ack',
    options,
    () => {
      auth = makeAuth(options.privateKey, options.remoteId, { crypto })
      const packet = auth.packet
      socket.once('connect', () => {
        connected = true
        socket.write(packet)
      })
    },
    (buf) => {
      const got = readHandshakePacket('ack', buf, options.privateKey, crypto, { tryLegacy })
      if (buf.length >= legacyAckSize) tryLegacy = false
      if (!got || !auth) return undefined
      const secrets = handleAck(auth.state, got, crypto)
      if (!constantTimeEqual(secrets.remoteId, options.remoteId)) {
        throw new RlpxError(
          'ERR_UNEXPECTED_IDENTITY',
          'remote static key differs from the dialed one',
        )
      }
      return { secrets, consumed: got.packet.length }
    },
    (received) =>
      received > 0
        ? new RlpxError('ERR_BAD_HANDSHAKE', `remote hung up after ${received} bytes of its ack`)
        : connected
          ? new RlpxError(
              'ERR_UNEXPECTED_IDENTITY',
              'remote hung up before answering auth: it could not decrypt it (not the key we dialed?)',
            )
          : new RlpxError('ERR_CONN_CLOSED', 'connection refused or closed'),
  )
}

/** Runs the RLPx handshake as recipient on an accepted socket and returns the session. */
export function rlpxAccept(socket: Socket, options: RlpxSessionOptions): Promise<RlpxConnection> {
  const crypto = options.crypto ?? getCrypto()
  socket.setNoDelay(true)
  let tryLegacy = true
  return handshake(
    socket,
    'auth',
    options,
    () => {},
    (buf) => {
      const got = readHandshakePacket('auth', buf, options.privateKey, crypto, { tryLegacy })
      if (buf.length >= legacyAuthSize) tryLegacy = false
      if (!got) return undefined
      const { packet, secrets } = handleAuth(options.privateKey, got, { crypto })
      socket.write(packet)
      return { secrets, consumed: got.packet.length }
    },
    () => new RlpxError('ERR_CONN_CLOSED', 'connection closed during the handshake'),
  )
}

/** The handshaker `tcpNetwork` takes: real RLPx over TCP. */
export const rlpx: RlpxHandshaker = { connect: rlpxConnect, accept: rlpxAccept }
