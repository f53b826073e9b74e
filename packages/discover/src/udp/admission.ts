import type { Clock } from '@x/core'
import { PacketType, wireConstants } from '../wire/types.js'
import { FairQueue } from './fair-queue.js'
import { TokenBuckets } from './token-buckets.js'
import type { UdpAddress } from './transport.js'

/**
 * Fair admission of incoming discv4 datagrams, so that a flood of unsolicited packets cannot
 * starve the packets the protocol depends on. Before anything is decoded (decoding costs a
 * signature recovery), each datagram is classified by its source endpoint:
 * - priority: a reply to one of our requests (a reply type from an endpoint we asked, as many
 *   as we asked for) or a packet from an endpoint that proved itself (bonded): never behind
 *   unsolicited traffic;
 * - unsolicited: everything else, within a per-IP budget (token bucket).
 * Each class is a fair queue (round-robin over source IPs, bounded). The queues are drained in
 * slices of `sliceMs`, priority first, yielding to the event loop between slices so the socket
 * keeps being read (a held loop lets the kernel drop datagrams blindly). After decoding, requests
 * (Ping, FindNode, ENRRequest) are within a per-node-ID budget before we answer them.
 */
export interface AdmissionOptions {
  /**
   * Unsolicited datagrams per second an IP may send (bucket refill), before decoding. A node
   * sends a few per minute to one peer (revalidation pings, lookups); 20/s leaves room for dozens
   * behind one NAT.
   */
  ipRate: number
  /** Unsolicited datagrams an IP may send at once. */
  ipBurst: number
  /** Requests (Ping, FindNode, ENRRequest) per second a node ID gets answered. */
  idRate: number
  idBurst: number
  /** IPs, IDs and endpoints remembered per table; the least recently seen are evicted. */
  maxTracked: number
  /** Datagrams queued per source IP in each class. */
  queuePerIp: number
  /** Source IPs queued in each class. */
  queueIps: number
  /**
   * Processing time per event-loop turn before yielding to I/O. Short, because Node reads at
   * most 32 datagrams per socket per turn (libuv): with 0.5 ms the socket is read far faster
   * than a flood arrives, and what cannot be processed is dropped here, fairly, instead of
   * blindly in a kernel queue that also delays every datagram behind it. 0: each datagram is processed
   * as it arrives (no queue; budgets still apply) — the default with an injected transport,
   * whose deliveries are already scheduled (`MemoryNetwork` settles within one flush).
   */
  sliceMs: number
}

export const admissionDefaults: AdmissionOptions = {
  ipRate: 20,
  ipBurst: 200,
  idRate: 20,
  idBurst: 40,
  maxTracked: 4096,
  queuePerIp: 8,
  queueIps: 1024,
  sliceMs: 0.5,
}

/** What admission did so far (updated in place). */
export interface AdmissionStats {
  /** Datagrams admitted as priority (replies, bonded endpoints) / as unsolicited. */
  priority: number
  unsolicited: number
  /** Datagrams waiting now, and the most that ever waited. */
  queued: number
  maxQueued: number
  /** Slices run (one per event-loop turn with work). */
  slices: number
}

export type AdmissionDrop = 'ERR_RATE_LIMITED' | 'ERR_QUEUE_FULL'

interface Datagram {
  data: Uint8Array
  from: UdpAddress
}

/** Reply packets one endpoint may have outstanding (a lookup asks for two Neighbors at most). */
const maxAllowance = 64

/** Endpoints with a deadline and a count of packets they may still send, bounded (LRU). */
class Allowances {
  readonly #byKey = new Map<string, { until: number; left: number }>()
  readonly #max: number

  constructor(max: number) {
    this.#max = max
  }

  /** Allows `count` more packets (Infinity: any number) from `key` until `until`. */
  grant(key: string, now: number, until: number, count: number): void {
    const prev = this.#byKey.get(key)
    if (prev) this.#byKey.delete(key)
    else if (this.#byKey.size >= this.#max) {
      const oldest = this.#byKey.keys().next().value
      if (oldest !== undefined) this.#byKey.delete(oldest)
    }
    const left = prev !== undefined && prev.until >= now ? prev.left : 0
    this.#byKey.set(key, {
      until: Math.max(until, prev?.until ?? 0),
      left: count === Number.POSITIVE_INFINITY ? count : Math.min(left + count, maxAllowance),
    })
  }

  /** Spends one of `key`'s packets at `now`; false when it has none (or they expired). */
  take(key: string, now: number): boolean {
    const a = this.#byKey.get(key)
    if (a === undefined) return false
    if (a.until < now) {
      this.#byKey.delete(key)
      return false
    }
    if (a.left < 1) return false
    a.left -= 1
    return true
  }

  clear(): void {
    this.#byKey.clear()
  }
}

/** The reply packet types (Pong, Neighbors, ENRResponse): the type byte is readable before decoding. */
const replyTypes = new Set<number>([PacketType.Pong, PacketType.Neighbors, PacketType.ENRResponse])
const typeAt = wireConstants.headSize - 1

const endpointKey = (ip: string, port: number) => `${ip}|${port}`

export class Admission {
  readonly #o: AdmissionOptions
  readonly #clock: Clock
  readonly #handle: (data: Uint8Array, from: UdpAddress) => void
  readonly #drop: (reason: AdmissionDrop) => void
  readonly #replies: Allowances
  readonly #bonded: Allowances
  readonly #ipBudget: TokenBuckets
  readonly #idBudget: TokenBuckets
  readonly #priority: FairQueue<Datagram>
  readonly #unsolicited: FairQueue<Datagram>
  #immediate: ReturnType<typeof setImmediate> | undefined
  #stopped = false
  readonly stats: AdmissionStats = {
    priority: 0,
    unsolicited: 0,
    queued: 0,
    maxQueued: 0,
    slices: 0,
  }

  constructor(
    options: AdmissionOptions,
    clock: Clock,
    handle: (data: Uint8Array, from: UdpAddress) => void,
    drop: (reason: AdmissionDrop) => void,
  ) {
    this.#o = options
    this.#clock = clock
    this.#handle = handle
    this.#drop = drop
    this.#replies = new Allowances(options.maxTracked)
    this.#bonded = new Allowances(options.maxTracked)
    this.#ipBudget = new TokenBuckets(options.ipRate, options.ipBurst, options.maxTracked)
    this.#idBudget = new TokenBuckets(options.idRate, options.idBurst, options.maxTracked)
    this.#priority = new FairQueue(options.queuePerIp, options.queueIps)
    this.#unsolicited = new FairQueue(options.queuePerIp, options.queueIps)
  }

  /**
   * We sent a request to `ip:port`: up to `replies` reply packets (Pong, Neighbors, ENRResponse,
   * told by their type byte) from it go first until `untilMs`. Counted, so that an endpoint we
   * ping back cannot pass its own flood off as replies.
   */
  expectReply(ip: string, port: number, untilMs: number, replies: number): void {
    this.#replies.grant(endpointKey(ip, port), this.#clock.now(), untilMs, replies)
  }

  /** `ip:port` proved its endpoint (answered our Ping): all its packets go first until `untilMs`. */
  markBonded(ip: string, port: number, untilMs: number): void {
    this.#bonded.grant(endpointKey(ip, port), this.#clock.now(), untilMs, Number.POSITIVE_INFINITY)
  }

  /** Whether a request from node `idHex` is within its budget (after decoding). */
  admitRequest(idHex: string): boolean {
    if (this.#idBudget.take(idHex, this.#clock.now())) return true
    this.#drop('ERR_RATE_LIMITED')
    return false
  }

  /** A datagram arrived: classify it, queue it (or process it at once), or drop it. */
  receive(data: Uint8Array, from: UdpAddress): void {
    if (this.#stopped) return
    const now = this.#clock.now()
    const key = endpointKey(from.ip, from.port)
    const priority =
      this.#bonded.take(key, now) ||
      (replyTypes.has(data[typeAt] ?? 0) && this.#replies.take(key, now))
    if (priority) this.stats.priority++
    else if (this.#ipBudget.take(from.ip, now)) this.stats.unsolicited++
    else {
      this.#drop('ERR_RATE_LIMITED')
      return
    }
    if (this.#o.sliceMs <= 0) {
      this.#handle(data, from)
      return
    }
    const lane = priority ? this.#priority : this.#unsolicited
    if (!lane.push(from.ip, { data, from })) {
      this.#drop('ERR_QUEUE_FULL')
      return
    }
    const queued = this.#priority.size + this.#unsolicited.size
    this.stats.queued = queued
    if (queued > this.stats.maxQueued) this.stats.maxQueued = queued
    this.#immediate ??= setImmediate(this.#slice)
  }

  /** One slice: priority datagrams first, then unsolicited, until the time is up. */
  readonly #slice = (): void => {
    this.#immediate = undefined
    if (this.#stopped) return
    this.stats.slices++
    const end = performance.now() + this.#o.sliceMs
    for (;;) {
      const d = this.#priority.shift() ?? this.#unsolicited.shift()
      if (!d) break
      this.#handle(d.data, d.from)
      if (this.#stopped || performance.now() >= end) break
    }
    this.stats.queued = this.#priority.size + this.#unsolicited.size
    if (this.stats.queued > 0 && !this.#stopped) this.#immediate = setImmediate(this.#slice)
  }

  /** Drops what is queued and processes nothing more. */
  stop(): void {
    this.#stopped = true
    if (this.#immediate !== undefined) clearImmediate(this.#immediate)
    this.#immediate = undefined
    this.#priority.clear()
    this.#unsolicited.clear()
    this.#replies.clear()
    this.#bonded.clear()
    this.#ipBudget.clear()
    this.#idBudget.clear()
    this.stats.queued = 0
  }
}
