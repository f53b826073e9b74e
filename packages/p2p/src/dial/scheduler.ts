import { setMaxListeners } from 'node:events'
import { type Clock, type Logger, noopLogger, type Startable, systemClock, toHex } from '@x/core'
import {
  type EnodeHost,
  type HostResolver,
  isEnodeHost,
  type Node,
  type NodeId,
  resolveEnodeHost,
} from '@x/discover'
import type { DialDiscovery } from './discovery.js'
import { type DialFilter, filteredCandidates } from './filter.js'
import { DialHistory } from './history.js'
import { DialIntake } from './intake.js'
import { type DialSource, fairMix } from './mix.js'
import {
  type DialKind,
  type DialSchedulerOptions,
  type DialTarget,
  dialDefaults,
} from './options.js'
import { DialSlots } from './slots.js'

interface StaticTask {
  node: DialTarget
  resolveDelay: number
  lastResolved: number
}

/**
 * The dial scheduler (go-ethereum's `dialScheduler`): keeps static nodes connected (outside the
 * dynamic slots), fills up to `maxDialPeers` dynamic dialed peers from discovery — half from
 * random table nodes, the rest from the lookup iterator — falls back to a bootnode when there
 * are no peers, remembers dials for `historyExpiration`, runs at most `maxActiveDials` at once,
 * and re-resolves failing static nodes through discovery with exponential backoff.
 */
export class DialScheduler implements Startable {
  readonly #o: Required<
    Omit<
      DialSchedulerOptions,
      | 'discovery'
      | 'sources'
      | 'bootnodes'
      | 'allowed'
      | 'filter'
      | 'logger'
      | 'clock'
      | 'hostResolver'
    >
  >
  #discovery: DialDiscovery | undefined
  readonly #sources: readonly DialSource[]
  readonly #hostResolver: HostResolver | undefined
  readonly #bootnodes: readonly DialTarget[]
  readonly #allowed: (node: Node) => boolean
  readonly #clock: Clock
  readonly #log: Logger
  readonly #selfHex: string
  readonly #slots: DialSlots
  readonly #static = new Map<string, StaticTask>()
  readonly #history: DialHistory
  readonly #intake: DialIntake
  readonly #filter: DialFilter | undefined
  #abort: AbortController | undefined
  #historyTimer: ReturnType<Clock['setTimeout']> | undefined
  #bootTimer: ReturnType<Clock['setTimeout']> | undefined
  #bootIndex = 0

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
    this.#sources = options.sources ?? []
    this.#hostResolver = options.hostResolver
    this.#bootnodes = options.bootnodes ?? []
    this.#allowed = options.allowed ?? (() => true)
    this.#clock = options.clock ?? systemClock
    this.#log = options.logger ?? noopLogger
    this.#selfHex = toHex(options.self)
    this.#slots = new DialSlots(this.#o)
    this.#history = new DialHistory(this.#clock, this.#o.historyExpiration)
    this.#intake = new DialIntake(this.#clock, this.#log, {
      free: () => this.#slots.freeDynamic(),
      offer: (node) => {
        if (!this.#dialable(node, 'dynamic')) return false
        this.#startDial(node, 'dynamic')
        return true
      },
    })
    this.#filter = options.filter
  }

  get running(): boolean {
    return this.#abort !== undefined
  }

  /** Dials in flight. */
  get dialing(): number {
    return this.#slots.dialing
  }

  /** Starts dialing: static nodes, the discovery intake, the bootnode fallback. Idempotent. */
  async start(): Promise<void> {
    if (this.#abort) return
    this.#abort = new AbortController()
    // Every dial in flight (static re-resolutions included) listens on the signal.
    setMaxListeners(2 * this.#o.maxActiveDials + 8, this.#abort.signal)
    this.#startIntake()
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
    await this.#intake.stop()
  }

  /**
   * Sets (or replaces, or with undefined removes) the source of dynamic dial candidates, also
   * while running: a node whose discovery starts after the server (it needs the bound TCP port)
   * hands it over here.
   */
  async setDiscovery(discovery: DialDiscovery | undefined): Promise<void> {
    if (discovery === this.#discovery) return
    await this.#intake.stop()
    this.#discovery = discovery
    if (this.#abort) {
      this.#startIntake()
      this.#schedule()
    }
  }

  /**
   * Discovery's lookup results, through the dial filter when there is one (go-ethereum filters
   * the discv4 source only: static nodes, bootnodes and DNS lists are taken as they are).
   */
  #discoveryCandidates(discovery: DialDiscovery, signal: AbortSignal): AsyncIterator<Node> {
    const found = discovery.randomNodes({ signal })
    const filter = this.#filter
    if (!filter) return found
    const requestENR = discovery.requestENR?.bind(discovery)
    if (!requestENR) {
      this.#log.warn('dial filter set but discovery cannot fetch records: dialing none from it')
      return (async function* () {})()
    }
    const log = this.#log
    return filteredCandidates(found, requestENR, filter, signal, undefined, (node, why) =>
      log.debug('dial candidate skipped', { node: node.idHex.slice(0, 16), why }),
    )
  }

  #startIntake(): void {
    const discovery = this.#discovery
    if (!this.#abort || this.#o.maxDialPeers === 0) return
    if (!discovery && this.#sources.length === 0) return
    const sources: DialSource[] = [...this.#sources]
    if (discovery) sources.unshift((o) => this.#discoveryCandidates(discovery, o.signal))
    this.#intake.start((signal) => fairMix(sources, { signal, logger: this.#log }))
  }

  /** Keeps `node` connected (redialed whenever it drops). Returns false when the set is full. */
  addStatic(node: DialTarget): boolean {
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
    this.#static.delete(toHex(id))
  }

  isStatic(id: NodeId): boolean {
    return this.#static.has(toHex(id))
  }

  /** The server added a peer; `dynamic` when it came from one of our dynamic dials. */
  peerAdded(id: NodeId, dynamic: boolean): void {
    this.#slots.peerAdded(toHex(id), dynamic)
    this.#schedule()
  }

  peerRemoved(id: NodeId): void {
    this.#slots.peerRemoved(toHex(id))
    this.#schedule()
  }

  #dialable(node: DialTarget, kind: DialKind): boolean {
    const id = node.idHex
    if (id === this.#selfHex || node.tcp === 0) return false
    if (this.#slots.busy(id) || this.#history.has(id)) return false
    if (kind === 'dynamic' && this.#static.has(id)) return false
    // A host name is checked against the net restriction once it is resolved.
    return isEnodeHost(node) || this.#allowed(node)
  }

  /** Starts what can start now; called on every change of state. */
  #schedule(): void {
    if (!this.#abort) return
    this.#history.prune()
    for (const task of this.#static.values()) {
      if (!this.#slots.canDial) break
      if (this.#dialable(task.node, 'static')) this.#startDial(task.node, 'static')
    }
    const free = this.#slots.freeDynamic()
    if (free > 0 && this.#discovery) {
      const fromTable = Math.floor(free / 2)
      if (fromTable > 0) {
        for (const node of this.#discovery.readRandomNodes(fromTable)) {
          if (this.#slots.freeDynamic() === 0) break
          if (this.#dialable(node, 'dynamic')) this.#startDial(node, 'dynamic')
        }
      }
    }
    if (this.#slots.freeDynamic() > 0) this.#intake.wake()
    this.#armHistoryTimer()
  }

  #armHistoryTimer(): void {
    if (this.#historyTimer !== undefined || !this.#abort) return
    const first = this.#history.nextExpiry()
    if (first === undefined) return
    this.#historyTimer = this.#clock.setTimeout(
      () => {
        this.#historyTimer = undefined
        this.#schedule()
      },
      Math.max(0, first - this.#clock.now()),
    )
  }

  #startDial(target: DialTarget, kind: DialKind): void {
    const id = target.idHex
    this.#slots.dialStarted(id, kind)
    this.#history.add(id)
    this.#log.debug('dialing', { node: label(target), kind })
    void this.#runDial(target, kind)
  }

  async #runDial(target: DialTarget, kind: DialKind): Promise<void> {
    const signal = this.#abort?.signal
    let node: Node | undefined
    try {
      if (!signal) return
      // A Node is dialed at once (in this turn); only a host name waits for its lookup.
      node = isEnodeHost(target) ? await this.#resolve(target, signal) : target
      if (!node) return
      await this.#o.dial(node, kind, signal)
    } catch (err) {
      this.#log.debug('dial failed', { node: label(target), kind, err: String(err) })
      if (kind === 'static' && node) await this.#redialResolved(node)
    } finally {
      this.#slots.dialDone(target.idHex)
      this.#schedule()
    }
  }

  /**
   * The Node to dial: `target` itself, or its host name resolved now (go-ethereum's
   * `dnsResolveHostname`, bounded by `resolveTimeout`). A name that does not resolve, or
   * resolves outside the net restriction, is logged and not dialed.
   */
  async #resolve(target: EnodeHost, signal: AbortSignal): Promise<Node | undefined> {
    try {
      const node = await resolveEnodeHost(target, {
        ...(this.#hostResolver && { resolver: this.#hostResolver }),
        clock: this.#clock,
        timeoutMs: dialDefaults.resolveTimeout,
        signal,
      })
      if (this.#allowed(node)) return node
      this.#log.warn('dial target resolved outside --netrestrict', { node: label(node) })
    } catch (err) {
      if (signal.aborted) return undefined
      const e = err as Error & { code?: string }
      this.#log.warn('dial target host did not resolve', {
        host: target.host,
        code: e.code,
        err: e.message,
      })
    }
    return undefined
  }

  /**
   * A static node failed: ask discovery where it is now (at most once per resolve delay, which
   * doubles while it is not found) and dial again at once if it moved.
   */
  async #redialResolved(node: Node): Promise<void> {
    const task = this.#static.get(node.idHex)
    const signal = this.#abort?.signal
    if (!task || !this.#discovery || !signal || isEnodeHost(task.node)) return
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
      this.#log.debug('dial failed', { node: found.toString(), kind: 'static', err: String(err) })
    }
  }

  #scheduleBootnode(): void {
    this.#bootTimer = this.#clock.setTimeout(() => {
      this.#bootTimer = undefined
      if (!this.#abort) return
      if (this.#slots.peers === 0 && this.#slots.canDial) {
        for (let i = 0; i < this.#bootnodes.length; i++) {
          const node = this.#bootnodes[this.#bootIndex++ % this.#bootnodes.length] as DialTarget
          if (this.#dialable(node, 'dynamic')) {
            this.#startDial(node, 'dynamic')
            break
          }
        }
      }
      this.#scheduleBootnode()
    }, this.#o.bootnodeFallbackDelay)
  }
}

function label(t: DialTarget): string {
  return isEnodeHost(t) ? `${t.idHex.slice(0, 16)}@${t.host}:${t.tcp}` : t.toString()
}
