import { setMaxListeners } from 'node:events'
import {
  type Clock,
  type Logger,
  type Node,
  type NodeId,
  noopLogger,
  systemClock,
} from '@x/discover'
import type { DialDiscovery } from './discovery.js'

export type { DialDiscovery } from './discovery.js'

/** Why a dial was made: static nodes are kept connected; dynamic ones fill free slots. */
export type DialKind = 'static' | 'dynamic'

export const dialDefaults = {
  /** Dials in flight at once (the seeds' maxActiveDialTasks). */
  maxActiveDials: 16,
  /** A node is not redialed within this time of the last attempt. */
  historyExpiration: 35_000,
  /** Bootnodes are dialed when we have no peers this long after start, and as often again. */
  bootnodeFallbackDelay: 20_000,
  /** First and maximum delay between re-resolutions of a failing static node. */
  initialResolveDelay: 60_000,
  maxResolveDelay: 3_600_000,
  /** Bounds of the history and static sets. */
  maxHistory: 4096,
  maxStatic: 1024,
  /** After this many undialable candidates in a row, the lookup pump pauses… */
  pumpSkipLimit: 32,
  /** …for this long, or until a slot frees. */
  pumpBackoff: 1_000,
} as const

export interface DialSchedulerOptions {
  /** Our node ID: never dialed. */
  self: NodeId
  /** Dynamic dialed peers wanted (maxPeers / dialRatio). 0 disables dynamic dialing. */
  maxDialPeers: number
  /**
   * Connects to `node` and sets up the peer; resolves once the peer is added, rejects when any
   * step fails. The scheduler learns of the peer's life through `peerAdded`/`peerRemoved`.
   */
  dial(node: Node, kind: DialKind, signal: AbortSignal): Promise<void>
  discovery?: DialDiscovery
  bootnodes?: readonly Node[]
  /** Dial candidates for which this is false are skipped (net restriction). */
  allowed?: (node: Node) => boolean
  clock?: Clock
  logger?: Logger
  maxActiveDials?: number
  historyExpiration?: number
  bootnodeFallbackDelay?: number
  initialResolveDelay?: number
  maxResolveDelay?: number
}

interface StaticTask {
  node: Node
  resolveDelay: number
  lastResolved: number
}

function hex(id: NodeId): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex')
}

/**
 * The dial scheduler (go-ethereum's `dialScheduler`): keeps static nodes connected (outside the
 * dynamic slots), fills up to `maxDialPeers` dynamic dialed peers from discovery — half from
 * random table nodes, the rest from the lookup iterator — falls back to a bootnode when there
 * are no peers, remembers dials for `historyExpiration`, runs at most `maxActiveDials` at once,
 * and re-resolves failing static nodes through discovery with exponential backoff.
 */
export class DialScheduler {
  readonly #o: Required<
    Omit<DialSchedulerOptions, 'discovery' | 'bootnodes' | 'allowed' | 'logger' | 'clock'>
  >
  #discovery: DialDiscovery | undefined
  readonly #bootnodes: readonly Node[]
  readonly #allowed: (node: Node) => boolean
  readonly #clock: Clock
  readonly #log: Logger
  readonly #selfHex: string
  /** Connected peers, by ID: whether we dialed them as dynamic (the slot count). */
  readonly #peers = new Map<string, { dynamic: boolean }>()
  readonly #dialing = new Map<string, DialKind>()
  readonly #static = new Map<string, StaticTask>()
  /** Node → when it may be dialed again; insertion order is expiry order. */
  readonly #history = new Map<string, number>()
  #abort: AbortController | undefined
  #historyTimer: ReturnType<Clock['setTimeout']> | undefined
  #bootTimer: ReturnType<Clock['setTimeout']> | undefined
  #bootIndex = 0
  #wakePump: (() => void) | undefined
  #pump: Promise<void> | undefined
  #pumpAbort: AbortController | undefined

  constructor(options: DialSchedulerOptions) {
    this.#o = {
      self: options.self,
      maxDialPeers: options.maxDialPeers,
      dial: options.dial,
      maxActiveDials: options.maxActiveDials ?? dialDefaults.maxActiveDials,
      historyExpiration: options.historyExpiration ?? dialDefaults.historyExpiration,
      bootnodeFallbackDelay: options.bootnodeFallbackDelay ?? dialDefaults.bootnodeFallbackDelay,
      initialResolveDelay: options.initialResolveDelay ?? dialDefaults.initialResolveDelay,
      maxResolveDelay: options.maxResolveDelay ?? dialDefaults.maxResolveDelay,
    }
    this.#discovery = options.discovery
    this.#bootnodes = options.bootnodes ?? []
    this.#allowed = options.allowed ?? (() => true)
    this.#clock = options.clock ?? systemClock
    this.#log = options.logger ?? noopLogger
    this.#selfHex = hex(options.self)
  }

  get running(): boolean {
    return this.#abort !== undefined
  }

  /** Dials in flight. */
  get dialing(): number {
    return this.#dialing.size
  }

  start(): void {
    if (this.#abort) return
    this.#abort = new AbortController()
    // Every dial in flight (static re-resolutions included) listens on the signal.
    setMaxListeners(2 * this.#o.maxActiveDials + 8, this.#abort.signal)
    this.#startPump()
    if (this.#bootnodes.length > 0 && this.#o.maxDialPeers > 0) this.#scheduleBootnode()
    this.#schedule()
  }

  /** Stops dialing: timers cleared, the discovery iterator closed, dials in flight aborted. */
  async stop(): Promise<void> {
    const abort = this.#abort
    if (!abort) return
    this.#abort = undefined
    abort.abort(new Error('dial scheduler stopped'))
    if (this.#historyTimer !== undefined) this.#clock.clearTimeout(this.#historyTimer)
    if (this.#bootTimer !== undefined) this.#clock.clearTimeout(this.#bootTimer)
    this.#historyTimer = undefined
    this.#bootTimer = undefined
    await this.#stopPump()
  }

  /**
   * Sets (or replaces, or with undefined removes) the source of dynamic dial candidates, also
   * while running: a node whose discovery starts after the server (it needs the bound TCP port)
   * hands it over here.
   */
  async setDiscovery(discovery: DialDiscovery | undefined): Promise<void> {
    if (discovery === this.#discovery) return
    await this.#stopPump()
    this.#discovery = discovery
    if (this.#abort) {
      this.#startPump()
      this.#schedule()
    }
  }

  #startPump(): void {
    if (!this.#abort || !this.#discovery || this.#o.maxDialPeers === 0) return
    const ac = new AbortController()
    this.#pumpAbort = ac
    this.#pump = this.#runPump(this.#discovery, ac.signal)
  }

  async #stopPump(): Promise<void> {
    this.#pumpAbort?.abort(new Error('dial scheduler stopped'))
    this.#pumpAbort = undefined
    this.#wakePump?.()
    await this.#pump
    this.#pump = undefined
  }

  /** Keeps `node` connected (redialed whenever it drops). Returns false when the set is full. */
  addStatic(node: Node): boolean {
    const id = node.idHex
    if (id === this.#selfHex) return false
    const task = this.#static.get(id)
    if (task) {
      task.node = node
      return true
    }
    if (this.#static.size >= dialDefaults.maxStatic) return false
    this.#static.set(id, {
      node,
      resolveDelay: this.#o.initialResolveDelay,
      lastResolved: -Infinity,
    })
    this.#schedule()
    return true
  }

  removeStatic(id: NodeId): void {
    this.#static.delete(hex(id))
  }

  isStatic(id: NodeId): boolean {
    return this.#static.has(hex(id))
  }

  /** The server added a peer; `dynamic` when it came from one of our dynamic dials. */
  peerAdded(id: NodeId, dynamic: boolean): void {
    this.#peers.set(hex(id), { dynamic })
    this.#schedule()
  }

  peerRemoved(id: NodeId): void {
    this.#peers.delete(hex(id))
    this.#schedule()
  }

  #dynPeers(): number {
    let n = 0
    for (const p of this.#peers.values()) if (p.dynamic) n++
    return n
  }

  /** Free dynamic dial slots: go-ethereum overdials by 2× as many dials fail. */
  #freeDynSlots(): number {
    let dynDialing = 0
    for (const k of this.#dialing.values()) if (k === 'dynamic') dynDialing++
    const slots = Math.min((this.#o.maxDialPeers - this.#dynPeers()) * 2, this.#o.maxActiveDials)
    const free = Math.min(slots - dynDialing, this.#o.maxActiveDials - this.#dialing.size)
    return Math.max(0, free)
  }

  #pruneHistory(): void {
    const now = this.#clock.now()
    for (const [id, until] of this.#history) {
      if (until > now) break
      this.#history.delete(id)
    }
  }

  #dialable(node: Node, kind: DialKind): boolean {
    const id = node.idHex
    if (id === this.#selfHex || node.tcp === 0) return false
    if (this.#dialing.has(id) || this.#peers.has(id) || this.#history.has(id)) return false
    if (kind === 'dynamic' && this.#static.has(id)) return false
    return this.#allowed(node)
  }

  /** Starts what can start now; called on every change of state. */
  #schedule(): void {
    if (!this.#abort) return
    this.#pruneHistory()
    for (const task of this.#static.values()) {
      if (this.#dialing.size >= this.#o.maxActiveDials) break
      if (this.#dialable(task.node, 'static')) this.#startDial(task.node, 'static')
    }
    const free = this.#freeDynSlots()
    if (free > 0 && this.#discovery) {
      const fromTable = Math.floor(free / 2)
      if (fromTable > 0) {
        for (const node of this.#discovery.readRandomNodes(fromTable)) {
          if (this.#freeDynSlots() === 0) break
          if (this.#dialable(node, 'dynamic')) this.#startDial(node, 'dynamic')
        }
      }
    }
    if (this.#freeDynSlots() > 0 && this.#wakePump) {
      const wake = this.#wakePump
      this.#wakePump = undefined
      wake()
    }
    this.#armHistoryTimer()
  }

  #armHistoryTimer(): void {
    if (this.#historyTimer !== undefined || !this.#abort) return
    const first = this.#history.values().next()
    if (first.done) return
    this.#historyTimer = this.#clock.setTimeout(
      () => {
        this.#historyTimer = undefined
        this.#schedule()
      },
      Math.max(0, first.value - this.#clock.now()),
    )
  }

  #startDial(node: Node, kind: DialKind): void {
    const id = node.idHex
    this.#dialing.set(id, kind)
    this.#history.delete(id)
    if (this.#history.size >= dialDefaults.maxHistory) {
      const oldest = this.#history.keys().next()
      if (!oldest.done) this.#history.delete(oldest.value)
    }
    this.#history.set(id, this.#clock.now() + this.#o.historyExpiration)
    this.#log.debug('dialing', { node: node.toString(), kind })
    void this.#runDial(node, kind)
  }

  async #runDial(node: Node, kind: DialKind): Promise<void> {
    const signal = this.#abort?.signal
    try {
      if (!signal) return
      await this.#o.dial(node, kind, signal)
    } catch (err) {
      this.#log.debug('dial failed', { node: node.toString(), kind, error: String(err) })
      if (kind === 'static') await this.#redialResolved(node)
    } finally {
      this.#dialing.delete(node.idHex)
      this.#schedule()
    }
  }

  /**
   * A static node failed: ask discovery where it is now (at most once per resolve delay, which
   * doubles while it is not found) and dial again at once if it moved.
   */
  async #redialResolved(node: Node): Promise<void> {
    const task = this.#static.get(node.idHex)
    const signal = this.#abort?.signal
    if (!task || !this.#discovery || !signal) return
    const now = this.#clock.now()
    if (now - task.lastResolved < task.resolveDelay) return
    task.lastResolved = now
    let found: Node | undefined
    try {
      found = await this.#discovery.resolve(node.id, { signal })
    } catch {
      found = undefined
    }
    if (!found) {
      task.resolveDelay = Math.min(task.resolveDelay * 2, this.#o.maxResolveDelay)
      return
    }
    task.resolveDelay = this.#o.initialResolveDelay
    if (found.ip === task.node.ip && found.tcp === task.node.tcp) return
    task.node = found
    if (!this.#abort || !this.#allowed(found)) return
    this.#log.debug('static node moved', { node: found.toString() })
    try {
      await this.#o.dial(found, 'static', signal)
    } catch (err) {
      this.#log.debug('dial failed', { node: found.toString(), kind: 'static', error: String(err) })
    }
  }

  #scheduleBootnode(): void {
    this.#bootTimer = this.#clock.setTimeout(() => {
      this.#bootTimer = undefined
      if (!this.#abort) return
      if (this.#peers.size === 0 && this.#dialing.size < this.#o.maxActiveDials) {
        for (let i = 0; i < this.#bootnodes.length; i++) {
          const node = this.#bootnodes[this.#bootIndex++ % this.#bootnodes.length] as Node
          if (this.#dialable(node, 'dynamic')) {
            this.#startDial(node, 'dynamic')
            break
          }
        }
      }
      this.#scheduleBootnode()
    }, this.#o.bootnodeFallbackDelay)
  }

  /** Waits until `#schedule` wakes the pump (a slot freed) or, if given, `ms` passed. */
  #pause(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer =
        ms === undefined
          ? undefined
          : this.#clock.setTimeout(() => {
              this.#wakePump = undefined
              resolve()
            }, ms)
      this.#wakePump = () => {
        if (timer !== undefined) this.#clock.clearTimeout(timer)
        resolve()
      }
    })
  }

  /** Feeds nodes from the lookup iterator into free dynamic slots. */
  async #runPump(discovery: DialDiscovery, signal: AbortSignal): Promise<void> {
    let it: AsyncIterableIterator<Node> | undefined
    // A discovery iterator that ignores the signal must not hold up stop().
    const aborted = new Promise<IteratorResult<Node>>((resolve) => {
      const done = () => resolve({ done: true, value: undefined })
      if (signal.aborted) done()
      else signal.addEventListener('abort', done, { once: true })
    })
    try {
      it = discovery.randomNodes({ signal })
      let skipped = 0
      while (!signal.aborted) {
        if (this.#freeDynSlots() === 0) {
          await this.#pause()
          continue
        }
        if (skipped >= dialDefaults.pumpSkipLimit) {
          // Every recent candidate was undialable (small network, all in history): do not spin
          // through lookups; wait for a change of state or a while.
          skipped = 0
          await this.#pause(dialDefaults.pumpBackoff)
          continue
        }
        const next = await Promise.race([it.next(), aborted])
        if (next.done || signal.aborted) break
        if (this.#freeDynSlots() > 0 && this.#dialable(next.value, 'dynamic')) {
          skipped = 0
          this.#startDial(next.value, 'dynamic')
        } else {
          skipped++
        }
      }
    } catch (err) {
      if (!signal.aborted) this.#log.warn('discovery iterator failed', { error: String(err) })
    } finally {
      this.#wakePump = undefined
      void it?.return?.()?.catch(() => {})
    }
  }
}
