import { type CryptoBackend, getCrypto, type Logger, noopLogger, setCrypto, started } from '@x/core'
import { Discovery } from '../discovery.js'
import { isValidPrivateKey } from '../key.js'
import type { Node } from '../node.js'
import type { MaintenanceOptions } from '../table/maintenance.js'
import type { IpLimitOptions } from '../table/options.js'
import type { DatagramTransport, UdpAddress } from '../udp/transport.js'
import { MemoryNetwork, type MemorySocket } from './memory-network.js'
import { SimClock } from './sim-clock.js'
import { type SimCryptoBackend, simCrypto } from './sim-crypto.js'

export interface SimulationOptions {
  /** Seed of every random choice: keys, tables, targets, loss and latency (default 1). */
  seed?: number
  /** Probability that a datagram is lost (default 0). */
  loss?: number
  /** One-way latency in whole virtual ms, fixed or uniform in [min, max] (default 0: same instant). */
  latencyMs?: number | { min: number; max: number }
  maintenance?: MaintenanceOptions
  ipLimits?: IpLimitOptions
  logger?: Logger
  /** Virtual start time, ms since the epoch (default 1 700 000 000 000). */
  start?: number
  /**
   * 'sim' (default): while the simulation is open, the process-wide crypto backend is
   * `simCrypto` over the current one (packets carry no real signatures; node records do);
   * `stop()` restores it. 'real': the current backend signs and recovers every packet.
   */
  crypto?: 'sim' | 'real'
}

/** Statistics of a simulated network. */
export interface SimulationStats {
  /** Datagrams handed to the network, lost by the loss model, delivered. */
  sent: number
  lost: number
  delivered: number
  /** Clock timers fired (maintenance, timeouts, delayed datagrams). */
  timers: number
  /** Datagrams sent by discv4 packet type (ping, pong, findnode, neighbors, enrRequest, enrResponse). */
  byType: Record<string, number>
}

const packetNames = ['', 'ping', 'pong', 'findnode', 'neighbors', 'enrRequest', 'enrResponse']

/** The sim backend installed while simulations are open (shared by concurrent ones). */
let shared: { backend: SimCryptoBackend; previous: CryptoBackend; users: number } | undefined

function acquireSimCrypto(): SimCryptoBackend {
  if (!shared) {
    const previous = getCrypto()
    shared = { backend: simCrypto(previous), previous, users: 0 }
    setCrypto(shared.backend)
  }
  shared.users++
  return shared.backend
}

function releaseSimCrypto(): void {
  if (!shared || --shared.users > 0) return
  // Restore only if nobody replaced the backend meanwhile.
  if (getCrypto() === shared.backend) setCrypto(shared.previous)
  shared = undefined
}

/** Deterministic random numbers in [0, 1) from a 32-bit seed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A deterministic discv4 network in one process: `Discovery` nodes over a `MemoryNetwork` with a
 * virtual `SimClock`, every random choice drawn from one seed, optional datagram loss and
 * latency. Nothing happens between calls: `run(ms)` advances virtual time (timers, timeouts,
 * delayed datagrams) and `runUntil(promise)` advances it until the promise settles. The same
 * seed and the same calls give the same run.
 */
export class Simulation {
  readonly clock: SimClock
  readonly network: MemoryNetwork
  /** The simulation's own random source (targets, picks); derived sources seed each node. */
  readonly random: () => number
  /** Started nodes, in start order (index = start call order). */
  readonly nodes: Discovery[] = []
  readonly #options: SimulationOptions
  readonly #netRandom: () => number
  readonly #latency: () => number
  readonly #loss: number
  #sent = 0
  #lost = 0
  /** Datagrams sent by type byte (index 0: unknown types). */
  readonly #byType = new Array<number>(packetNames.length).fill(0)
  #closed = false
  readonly #crypto: SimCryptoBackend | undefined

  constructor(options: SimulationOptions = {}) {
    this.#options = options
    if ((options.crypto ?? 'sim') === 'sim') this.#crypto = acquireSimCrypto()
    this.clock = new SimClock(options.start)
    this.network = new MemoryNetwork()
    const seed = options.seed ?? 1
    this.random = seededRandom(seed)
    this.#netRandom = seededRandom(seed ^ 0x5eed_1e55)
    this.#loss = options.loss ?? 0
    const lat = options.latencyMs ?? 0
    const { min, max } = typeof lat === 'number' ? { min: lat, max: lat } : lat
    this.#latency = () => (max <= min ? min : min + Math.floor(this.#netRandom() * (max - min + 1)))
  }

  get stats(): SimulationStats {
    return {
      sent: this.#sent,
      lost: this.#lost,
      delivered: this.network.delivered,
      timers: this.clock.fired,
      byType: Object.fromEntries(
        packetNames.flatMap((name, i) =>
          this.#byType[i]! > 0 ? [[name || 'other', this.#byType[i]!]] : [],
        ),
      ),
    }
  }

  /**
   * Starts a node on the network (its key and random source drawn from the seed). The promise
   * resolves once it has bonded with its bootnodes, which takes virtual time when there is
   * latency: drive the clock with `runUntil`.
   */
  startNode(options: { bootnodes?: readonly (Node | string)[] } = {}): Promise<Discovery> {
    const index = this.nodes.length
    this.nodes.length++
    const privateKey = this.#key()
    const random = seededRandom(Math.floor(this.random() * 2 ** 32))
    // The node's record is signed for real (records are verified with real secp256k1): the
    // record is made synchronously within this call, before its first await.
    if (this.#crypto) this.#crypto.real = true
    const pending = started(
      new Discovery({
        privateKey,
        transport: this.#socket(this.network.bind()),
        clock: this.clock,
        ntp: false,
        bootnodes: options.bootnodes ?? [],
        maintenance: this.#options.maintenance,
        ipLimits: this.#options.ipLimits,
        logger: this.#options.logger?.child({ node: index }) ?? noopLogger,
        random,
      }),
    )
    if (this.#crypto) this.#crypto.real = false
    return pending.then((d) => {
      this.nodes[index] = d
      return d
    })
  }

  /** Advances virtual time by `ms`. */
  run(ms: number): Promise<void> {
    return this.clock.advance(ms)
  }

  /**
   * Advances virtual time in steps of `stepMs` (default 10) until `promise` settles; rejects
   * when it does not within `maxMs` (default 10 min) of virtual time.
   */
  async runUntil<T>(promise: Promise<T>, options: { stepMs?: number; maxMs?: number } = {}) {
    let settled = false
    const p = promise.finally(() => {
      settled = true
    })
    p.catch(() => {})
    const end = this.clock.now() + (options.maxMs ?? 600_000)
    await this.clock.advance(0)
    while (!settled) {
      if (this.clock.now() >= end) throw new Error('simulation: promise did not settle in time')
      await this.clock.advance(options.stepMs ?? 10)
    }
    return p
  }

  /** Stops every node. Idempotent. */
  async stop(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all(this.nodes.filter((d) => d !== undefined).map((d) => d.stop()))
    if (this.#crypto) releaseSimCrypto()
  }

  #key(): Uint8Array {
    for (;;) {
      const k = new Uint8Array(32)
      for (let i = 0; i < 32; i++) k[i] = Math.floor(this.random() * 256)
      if (isValidPrivateKey(k)) return k
    }
  }

  /** The node's socket with the loss and latency models in front of the network. */
  #socket(inner: MemorySocket): DatagramTransport {
    const send = (data: Uint8Array, to: UdpAddress) => {
      this.#sent++
      // The packet type follows the 32-byte hash and the 65-byte signature.
      const type = data[97] ?? 0
      this.#byType[type < packetNames.length ? type : 0]!++
      if (this.#loss > 0 && this.#netRandom() < this.#loss) {
        this.#lost++
        return
      }
      const delay = this.#latency()
      if (delay <= 0) inner.send(data, to)
      else {
        // Copied now (the sender may reuse its buffer), handed over without a second copy.
        const copy = data.slice()
        const dest = { ...to }
        this.clock.setTimeout(() => inner.sendOwned(copy, dest), delay)
      }
    }
    return {
      address: inner.address,
      send,
      onMessage: (h) => inner.onMessage(h),
      onError: (h) => inner.onError(h),
      close: () => inner.close(),
    }
  }
}
