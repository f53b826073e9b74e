import type { Clock, Logger } from '@x/core'
import type { NodeDB } from '../db/types.js'
import type { NodeId } from '../node.js'
import type { NodeSource } from '../transport.js'
import type { Bonds } from './bonds.js'
import type { ClockDriftCheck } from './drift.js'
import type { LocalNode } from './local-node.js'
import type { UDPv4Events } from './options.js'
import type { PendingReplies } from './pending.js'
import type { PacketSender } from './sender.js'
import type { PacketStats } from './stats.js'
import type { PingWaiters } from './waiters.js'

/**
 * The state one UDPv4 service shares between its parts (requests, packet handlers, send path):
 * built once by `UDPv4`, read by the parts, owned by none of them.
 */
export interface UDPv4Context {
  readonly id: NodeId
  readonly clock: Clock
  readonly log: Logger
  readonly db: NodeDB
  readonly respTimeoutMs: number
  /** Accepts only Neighbors entries whose IP passes (go-ethereum's `NetRestrict`). */
  readonly netrestrict: (ip: string) => boolean
  readonly bonds: Bonds
  readonly pending: PendingReplies
  readonly pingWaiters: PingWaiters
  readonly drift: ClockDriftCheck
  readonly counters: PacketStats
  readonly sender: PacketSender
  /** Where FindNode answers come from (the table), once set. */
  source(): NodeSource | undefined
  /** Our node; throws `ERR_NOT_STARTED` before the first start. */
  local(): LocalNode
  /** Throws `ERR_CLOSED` after stop, `ERR_NOT_STARTED` before start. */
  assertOpen(): void
  emit<K extends keyof UDPv4Events & string>(type: K, detail: UDPv4Events[K]): void
  /** We sent a request to `ip:port`: admission lets its `replies` reply packets go first. */
  expectReply(ip: string, port: number, replies: number): void
  /** `ip:port` proved its endpoint: admission lets its packets go first. */
  markBonded(ip: string, port: number): void
  /** A request (Ping, FindNode, ENRRequest) of node `id` is within its budget; counts a drop if not. */
  admitRequest(id: NodeId): boolean
}
