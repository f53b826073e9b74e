import { type Clock, isValidPort, type Logger, normalizeIp } from '@x/core'
import type { NodeDB } from '../db/types.js'
import type { Enr } from '../enr/enr.js'
import { DiscoverError, type DiscoverErrorCode } from '../errors.js'
import { isValidPrivateKey } from '../key.js'
import type { Node } from '../node.js'
import type { AdmissionDrop, AdmissionOptions, AdmissionStats } from './admission.js'
import type { IpTrackerOptions } from './ip-tracker.js'
import type { SntpServer } from './ntp.js'
import type { DatagramTransport, UdpAddress } from './transport.js'

/** go-ethereum's v4_udp.go timings and limits. */
export const udpv4Defaults = {
  respTimeoutMs: 500,
  /**
   * Receive buffer asked for the bound socket: room for bursts while a slice runs (~1,300
   * datagrams), not more — a deeper kernel queue delays every datagram behind it when reading
   * falls behind, and an honest Ping waiting seconds there misses its 500 ms.
   */
  recvBufferSize: 1024 * 1024,
  /** Packets expire this long after they are sent. */
  expirationSec: 20,
  /** An endpoint proof is trusted this long (go-ethereum; the spec says 12 h). */
  bondExpirationMs: 24 * 3600_000,
  /** Nodes per FindNode answer (the bucket size). */
  bucketSize: 16,
  maxFindnodeFailures: 5,
  /** Pending requests and bond waiters kept at most; the oldest is failed beyond it. */
  maxPending: 4096,
} as const

export interface UDPv4Options {
  /** The 32-byte node key. */
  privateKey: Uint8Array
  /** Address to bind (default 0.0.0.0; use '::' for IPv6). Ignored with `transport`. */
  host?: string
  /** UDP port to bind (default 0: any free port). Ignored with `transport`. */
  port?: number
  /** Our RLPx TCP port, advertised in Pings and the ENR (default: the UDP port). */
  tcpPort?: number
  /**
   * A static advertised IP (go-ethereum's `SetStaticIP`: `--nat extip:`): no prediction for its
   * address family. Without it we advertise the IP other nodes see us at (the `to` of their
   * Pongs, see {@link IpTrackerOptions}), else the bound IP, else 127.0.0.1 when bound to all
   * interfaces.
   */
  ip?: string
  /** Endpoint prediction from Pongs (go-ethereum's window and 10 statements by default). */
  ipTracker?: IpTrackerOptions
  db?: NodeDB
  clock?: Clock
  logger?: Logger
  /** A datagram transport to use instead of a real socket (`MemoryNetwork` in tests). */
  transport?: DatagramTransport
  /** Sequence number of our first record (default: clock.now(), which increases across restarts). */
  enrSeq?: bigint
  /** SNTP server for the clock-drift check (default pool.ntp.org:123); false disables it. */
  ntp?: SntpServer | false
  /**
   * Accepts only Neighbors entries whose IP passes (go-ethereum's `NetRestrict`, e.g. the
   * node-app's --netrestrict); default: all.
   */
  netrestrict?: (ip: string) => boolean
  respTimeoutMs?: number
  bondExpirationMs?: number
  /**
   * Fair admission of incoming datagrams under load (per-IP and per-ID budgets, replies and
   * bonded endpoints first, processing in slices that yield to the event loop); see
   * {@link AdmissionOptions} for the defaults. With an injected `transport` datagrams are
   * processed as they arrive (`sliceMs` 0) unless `sliceMs` is given. `false` turns it off.
   */
  admission?: Partial<AdmissionOptions> | false
  /**
   * Receive buffer asked of the OS for the bound socket (default 1 MiB; the OS may grant less —
   * Linux caps it at net.core.rmem_max — and reports double: `stats.recvBufferSize`).
   */
  recvBufferSize?: number
  /**
   * Receives the datagrams that do not decode as discv4 (go-ethereum's `Config.Unhandled`):
   * discv5 on the same socket. Without it they are dropped and counted.
   */
  unhandled?: (data: Uint8Array, from: UdpAddress) => void
}

export interface UDPv4Events extends Record<string, unknown> {
  /**
   * A node completed the endpoint proof with us both ways (it pinged us and answered our ping):
   * a table candidate. Fires again on each Ping from a bonded node (go-ethereum's
   * addInboundNode); `first` is true when the bond is new (not renewed).
   */
  bonded: { node: Node; first: boolean }
  /**
   * Our advertised endpoint changed (a static IP was set, or the prediction from Pongs named a
   * new one): the record was re-signed with seq + 1. `pongs` counts the Pongs received so far.
   */
  'endpoint:changed': { node: Node; enr: Enr; pongs: number; statements: number }
  /** The SNTP check found our clock off by more than 10 s. */
  'clock:drift': { offsetMs: number }
}

/** Lower-case discv4 packet names, the keys of {@link UDPv4Stats}' per-type counters. */
export type PacketName = 'ping' | 'pong' | 'findnode' | 'neighbors' | 'enrrequest' | 'enrresponse'

/**
 * Why a datagram or packet was dropped, the keys of {@link UDPv4Stats}' `dropped`: the code of
 * the error it raised (decoding, expiry, endpoint proof), `ERR_INTERNAL` for an unexpected error
 * in a handler (counted, never thrown out of the socket handler), `self` for a packet signed with
 * our own key, `bad-neighbor` per rejected Neighbors entry, and admission's `ERR_RATE_LIMITED`
 * (over an IP's or ID's budget) and `ERR_QUEUE_FULL`.
 */
export type DropReason =
  | DiscoverErrorCode
  | AdmissionDrop
  | 'ERR_INTERNAL'
  | 'self'
  | 'bad-neighbor'

/**
 * Counters for monitoring (go-ethereum's `discover/ingress`, `discover/egress` meters):
 * datagrams and bytes each way, packets by type (decoded ones in, every one out), and `dropped`
 * by error code or reason. Every key set is bounded: six packet names, the drop codes of this
 * package.
 */
export interface UDPv4Stats {
  received: number
  /** Pongs accepted (answers to our Pings). */
  pongs: number
  sent: number
  bytesReceived: number
  bytesSent: number
  receivedByType: Partial<Record<PacketName, number>>
  sentByType: Partial<Record<PacketName, number>>
  dropped: Partial<Record<DropReason, number>>
  /** Admission's counters (absent with `admission: false`). */
  admission?: AdmissionStats
  /** The receive buffer the OS granted the bound socket, in bytes as it reports it. */
  recvBufferSize?: number
}

/**
 * Throws `ERR_INVALID_PRIVATE_KEY`, `ERR_INVALID_PORT` or core's `ERR_INVALID_IP` for options
 * that cannot work, before anything is opened.
 */
export function checkUDPv4Options(o: UDPv4Options): void {
  if (!isValidPrivateKey(o.privateKey)) {
    throw new DiscoverError('ERR_INVALID_PRIVATE_KEY', 'node key is not a valid secp256k1 scalar')
  }
  for (const [what, port] of [
    ['port', o.port],
    ['tcpPort', o.tcpPort],
  ] as const) {
    if (port !== undefined && !isValidPort(port)) {
      throw new DiscoverError('ERR_INVALID_PORT', `${what} ${port} is not a port`)
    }
  }
  if (o.ip !== undefined) normalizeIp(o.ip)
}
