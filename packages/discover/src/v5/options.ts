import type { Clock, Logger } from '@x/core'
import type { Enr } from '../enr/enr.js'
import type { Node } from '../node.js'
import type { DatagramTransport } from '../udp/transport.js'
import type { MessageName } from '../v5wire/messages.js'

/** go-ethereum's v5_udp.go and v5wire timings and limits, with units in the names. */
export const udpv5Defaults = {
  /** A request's wait for each response packet (go-ethereum's respTimeoutV5). */
  respTimeoutMs: 700,
  /** A WHOAREYOU we sent is answered within this, or forgotten (v5wire handshakeTimeout). */
  handshakeTimeoutMs: 1000,
  /** Established sessions kept (LRU; go-ethereum's sessionCacheSize). */
  sessionCacheSize: 1024,
  /** WHOAREYOU challenges awaiting a handshake at most; the oldest is forgotten beyond it. */
  maxHandshakes: 1024,
  /** WHOAREYOUs sent per second at most, in all… */
  whoareyouPerSecond: 1000,
  /** …and to one IP. */
  whoareyouPerIpPerSecond: 20,
  /** IPs tracked by the WHOAREYOU limiter per second; new IPs beyond it are refused. */
  rateLimitTrackedIps: 4096,
  /** Requests pending (sent or queued) at most, over all nodes. */
  maxPendingCalls: 4096,
  /** Records per FINDNODE answer (findnodeResultLimit). */
  findnodeResultLimit: 16,
  /** NODES messages accepted per request (totalNodesResponseLimit). */
  totalNodesResponseLimit: 5,
  /** Record bytes per NODES message (packNodes' sizeLimit). */
  nodesSizeLimit: 1000,
  /** Distinct distances asked per lookup FINDNODE (lookupDistances). */
  lookupDistances: 3,
  /** Records of other nodes kept (table entries and recently seen nodes; LRU). */
  maxRecords: 4096,
  /** TALKREQ protocols registered at most. */
  maxTalkHandlers: 64,
  /** Record fetches (FINDNODE 0 after a PING with a higher seq) in flight at most. */
  maxRecordFetches: 64,
  /** Recent message nonces remembered per session to drop replays. */
  replayWindow: 64,
} as const

/** Where UDPv5 takes our own record and node; UDPv4 or a LocalNode. */
export interface LocalRecord {
  readonly enr: Enr
  readonly node: Node
  /** Another node said our endpoint is `endpoint` (a PONG's recipient fields). */
  endpointStatement?(from: string, endpoint: { ip: string; udp: number }): void
}

/**
 * A TALKREQ handler: the response bytes (empty for "nothing to say"), or a promise of them. It
 * runs with the requester's node ID (32 bytes) and address.
 */
export type TalkHandler = (
  request: Uint8Array,
  from: { id: Uint8Array; ip: string; port: number },
) => Uint8Array | Promise<Uint8Array>

export interface UDPv5Options {
  /** The 32-byte node key. */
  privateKey: Uint8Array
  /** Address to bind (default 0.0.0.0). Ignored with `transport`. */
  host?: string
  /** UDP port to bind (default 0). Ignored with `transport`. */
  port?: number
  /** Our TCP port for the record (default: the UDP port). Ignored with `local`. */
  tcpPort?: number
  /** A static advertised IP. Ignored with `local`. */
  ip?: string
  /** Sequence number of our first record (default: clock.now()). Ignored with `local`. */
  enrSeq?: bigint
  /** A datagram transport instead of a real socket (a MemoryNetwork, or UDPv4's socket). */
  transport?: DatagramTransport
  /**
   * False when another service owns the transport's receiver and hands us its datagrams with
   * `deliver()` (discv4 and discv5 on one socket). Default true.
   */
  listen?: boolean
  /** Our record from elsewhere (the UDPv4 sharing the socket); default: one of our own. */
  local?: LocalRecord
  clock?: Clock
  logger?: Logger
  /** Accepts only NODES entries whose IP passes (node-app's --netrestrict); default all. */
  netrestrict?: (ip: string) => boolean
  respTimeoutMs?: number
  handshakeTimeoutMs?: number
  sessionCacheSize?: number
  maxHandshakes?: number
  whoareyouPerSecond?: number
  whoareyouPerIpPerSecond?: number
}

export interface UDPv5Events extends Record<string, unknown> {
  /** A node completed a handshake with us (either way): a table candidate, with its record. */
  'session:established': { node: Node; enr: Enr | undefined; initiator: boolean }
  /** A node's record we hold was replaced by one with a higher seq. */
  'enr:updated': { enr: Enr }
}

/**
 * Counters for monitoring: datagrams and bytes each way, messages by type, handshakes, and
 * `dropped` by error code (the `V5ErrorCode`s and `ERR_BAD_RLP`): a bounded key set.
 */
export interface UDPv5Stats {
  received: number
  sent: number
  bytesReceived: number
  bytesSent: number
  receivedByType: Partial<Record<MessageName | 'whoareyou', number>>
  sentByType: Partial<Record<MessageName | 'whoareyou' | 'random', number>>
  handshakesCompleted: number
  whoareyouSent: number
  dropped: Record<string, number>
}
