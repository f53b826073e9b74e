import {
  type Clock,
  formatDuration,
  type Logger,
  noopLogger,
  type Startable,
  systemClock,
  TypedEventTarget,
} from '@x/core'
import type { ProtocolPeer } from '@x/p2p'
import type { AlertHandler, HeartbeatAlert, NodeState } from './alert.js'
import { durationOption, HeartbeatError } from './errors.js'
import { HeartbeatProtocol } from './protocol.js'
import { type HeartbeatJson, type HeartbeatRecord, heartbeatToJson } from './record.js'
import { Webhook } from './webhook.js'

export const aggregatorDefaults = {
  /** Beat period assumed for a record that says 0. */
  defaultPeriod: '3s',
  /** A node is silent after this many of its beat periods without a beat. */
  silentPeriods: 3,
  /** A node is behind when the highest height exceeds its own by more than this. */
  heightThreshold: 10,
  /** Records kept per node (oldest dropped first). */
  historySize: 100,
  /** Nodes tracked; when full, the one heard from longest ago is forgotten. */
  maxNodes: 1024,
  /** Alerts kept for the API (oldest dropped first). */
  maxAlerts: 1000,
  /** Registered alert handlers. */
  maxHandlers: 64,
} as const

export interface AggregatorOptions {
  defaultPeriod?: string | number
  silentPeriods?: number
  heightThreshold?: number
  historySize?: number
  maxNodes?: number
  maxAlerts?: number
  /** POST every alert as JSON to this URL. */
  webhook?: string
  /** Webhook tuning and a fetch for tests. */
  webhookTimeout?: number
  fetch?: typeof fetch
  /** Peers running heartbeat/1 at once (the protocol's limit). */
  maxPeers?: number
  clock?: Clock
  logger?: Logger
}

/**
 * Longest timer Node holds (2^31 - 1 ms, ~24.8 days): a longer one fires after 1 ms. A record's
 * period is the sender's to choose, so a silence wait beyond this is armed in steps (the timer
 * re-arms for the remainder) instead of firing every millisecond.
 */
const maxTimerDelay = 2 ** 31 - 1

/** One entry of a node's history. */
export interface HistoryEntry extends HeartbeatJson {
  /** When the aggregator received it (ms, aggregator's clock). */
  receivedAt: number
}

/** A node as the API shows it. */
export interface NodeStatus {
  id: string
  nickname: string
  state: NodeState
  /** True while its heartbeat link is up. */
  connected: boolean
  /** Remote address of its latest link. */
  address: string
  firstSeen: number
  lastSeen: number
  beats: number
  lastBeat: HeartbeatJson
}

export interface AggregatorEvents extends Record<string, unknown> {
  alert: HeartbeatAlert
  beat: { id: string; record: HeartbeatRecord }
  /** A peer was dropped for a malformed heartbeat. */
  'peer:dropped': { id: string; error: HeartbeatError }
  'webhook:error': { error: HeartbeatError; alert: HeartbeatAlert }
}

/** What the aggregator keeps per node: the API's view plus the raw record, history and timer. */
interface Tracked extends Omit<NodeStatus, 'nickname' | 'lastBeat'> {
  last: HeartbeatRecord
  history: HistoryEntry[]
  timer: ReturnType<Clock['setTimeout']> | undefined
}

/**
 * The heartbeat receiver: add `aggregator.protocol` to a p2p Server (see {@link AggregatorNode}
 * for a standalone one). Keeps the latest record and a bounded history per node and raises typed
 * alerts — `silent` (no beat for 3 of the node's periods), `behind` (height more than
 * `heightThreshold` below the highest seen), `recovered` (back to normal) — to the log, the
 * `alert` event, registered handlers and the optional webhook.
 *
 * It opens no socket of its own and arms a node's silence timer only when that node beats, so
 * it takes beats from construction on; `start()` resolves at once (and takes beats again after a
 * `stop()`). `stop()` clears every timer, waits for webhook POSTs in flight and ignores later
 * beats.
 */
export class Aggregator extends TypedEventTarget<AggregatorEvents> implements Startable {
  readonly protocol: HeartbeatProtocol
  readonly heightThreshold: number
  readonly #defaultPeriod: number
  readonly #silentPeriods: number
  readonly #historySize: number
  readonly #maxNodes: number
  readonly #maxAlerts: number
  readonly #clock: Clock
  readonly #log: Logger
  readonly #webhook: Webhook | undefined
  readonly #nodes = new Map<string, Tracked>()
  readonly #alerts: HeartbeatAlert[] = []
  readonly #handlers = new Set<AlertHandler>()
  #highest = 0
  #stopped = false

  constructor(options: AggregatorOptions = {}) {
    super()
    const d = aggregatorDefaults
    this.#defaultPeriod = durationOption(options.defaultPeriod ?? d.defaultPeriod, 'defaultPeriod')
    this.#silentPeriods = options.silentPeriods ?? d.silentPeriods
    this.heightThreshold = options.heightThreshold ?? d.heightThreshold
    this.#historySize = options.historySize ?? d.historySize
    this.#maxNodes = options.maxNodes ?? d.maxNodes
    this.#maxAlerts = options.maxAlerts ?? d.maxAlerts
    for (const [name, v] of [
      ['silentPeriods', this.#silentPeriods],
      ['historySize', this.#historySize],
      ['maxNodes', this.#maxNodes],
      ['maxAlerts', this.#maxAlerts],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 1) {
        throw new HeartbeatError('ERR_INVALID_CONFIG', `${name} must be a positive integer`)
      }
    }
    if (!Number.isSafeInteger(this.heightThreshold) || this.heightThreshold < 0) {
      throw new HeartbeatError('ERR_INVALID_CONFIG', 'heightThreshold must be ≥ 0')
    }
    this.#clock = options.clock ?? systemClock
    this.#log = (options.logger ?? noopLogger).child({ component: 'aggregator' })
    this.#webhook =
      options.webhook === undefined
        ? undefined
        : new Webhook({
            url: options.webhook,
            logger: this.#log,
            ...(options.webhookTimeout !== undefined ? { timeout: options.webhookTimeout } : {}),
            ...(options.fetch ? { fetch: options.fetch } : {}),
            onError: (error, alert) => this.emit('webhook:error', { error, alert }),
          })
    this.protocol = new HeartbeatProtocol({
      onBeat: (peer, record) => this.receive(peer, record),
      logger: options.logger ?? noopLogger,
      ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
    })
    this.protocol.addEventListener('link:closed', (e) => {
      const n = this.#nodes.get(e.detail.peer.idHex)
      if (n) n.connected = false
    })
    this.protocol.addEventListener('peer:dropped', (e) =>
      this.emit('peer:dropped', { id: e.detail.peer.idHex, error: e.detail.error }),
    )
  }

  /** The highest height any tracked node reported. */
  get highest(): number {
    return this.#highest
  }

  /** Registers an alert handler; returns a function that removes it. */
  onAlert(handler: AlertHandler): () => void {
    if (this.#handlers.size >= aggregatorDefaults.maxHandlers) {
      throw new HeartbeatError('ERR_INVALID_CONFIG', 'too many alert handlers')
    }
    this.#handlers.add(handler)
    return () => this.#handlers.delete(handler)
  }

  /** Records a beat from `peer` (called by the protocol; tests may call it directly). */
  receive(peer: Pick<ProtocolPeer, 'idHex' | 'remoteAddress'>, record: HeartbeatRecord): void {
    if (this.#stopped) return
    const now = this.#clock.now()
    const id = peer.idHex
    let n = this.#nodes.get(id)
    if (!n) {
      if (this.#nodes.size >= this.#maxNodes) this.#evictOldest()
      n = {
        id,
        state: 'ok',
        connected: true,
        address: '',
        firstSeen: now,
        lastSeen: now,
        beats: 0,
        last: record,
        history: [],
        timer: undefined,
      }
      this.#nodes.set(id, n)
      this.#log.info('node joined', { node: id.slice(0, 16), nickname: record.nickname })
    }
    const previousHeight = n.beats > 0 ? n.last.height : record.height
    n.connected = true
    n.address = `${peer.remoteAddress.ip}:${peer.remoteAddress.port}`
    n.lastSeen = now
    n.beats++
    n.last = record
    n.history.push({ ...heartbeatToJson(record), receivedAt: now })
    if (n.history.length > this.#historySize) n.history.shift()
    this.#armSilence(n)
    this.emit('beat', { id, record })

    if (record.height > this.#highest) this.#setHighest(record.height, n)
    else if (previousHeight === this.#highest && record.height < previousHeight) {
      this.#recomputeHighest(n)
    }
    this.#evaluate(n, true)
  }

  /** Every tracked node. */
  nodes(): NodeStatus[] {
    return [...this.#nodes.values()].map((n) => this.#status(n))
  }

  node(id: string): NodeStatus | undefined {
    const n = this.#nodes.get(id)
    return n ? this.#status(n) : undefined
  }

  /** The node's kept records, oldest first; undefined for an unknown node. */
  history(id: string): HistoryEntry[] | undefined {
    return this.#nodes.get(id)?.history.slice()
  }

  /** The latest alerts, oldest first (at most `limit`). */
  alerts(limit = this.#maxAlerts): HeartbeatAlert[] {
    return limit > 0 ? this.#alerts.slice(-limit) : []
  }

  /** Takes beats (again, after a `stop()`); nothing to open. */
  async start(): Promise<void> {
    this.#stopped = false
  }

  /** Clears every timer and waits for webhook POSTs in flight. Beats after it are ignored. */
  async stop(): Promise<void> {
    this.#stopped = true
    for (const n of this.#nodes.values()) {
      if (n.timer !== undefined) this.#clock.clearTimeout(n.timer)
      n.timer = undefined
    }
    await this.#webhook?.stop()
  }

  #status(n: Tracked): NodeStatus {
    return {
      id: n.id,
      nickname: n.last.nickname,
      state: n.state,
      connected: n.connected,
      address: n.address,
      firstSeen: n.firstSeen,
      lastSeen: n.lastSeen,
      beats: n.beats,
      lastBeat: heartbeatToJson(n.last),
    }
  }

  #period(n: Tracked): number {
    return n.last.period > 0 ? n.last.period : this.#defaultPeriod
  }

  #armSilence(n: Tracked, delay?: number): void {
    if (n.timer !== undefined) this.#clock.clearTimeout(n.timer)
    const wait = this.#silentPeriods * this.#period(n)
    const ms = Math.min(delay ?? wait, maxTimerDelay)
    n.timer = this.#clock.setTimeout(() => {
      n.timer = undefined
      if (this.#stopped) return
      const silentFor = this.#clock.now() - n.lastSeen
      // A timer may fire a millisecond before the wall clock says it is due: silence is only
      // declared once the node has really missed its periods.
      if (silentFor < wait) {
        this.#armSilence(n, Math.max(1, wait - silentFor))
        return
      }
      this.#transition(n, 'silent', {
        silentFor,
        message: `no heartbeat for ${formatDuration(Math.max(1, silentFor))}`,
      })
    }, ms)
  }

  /** Sets a non-silent node's state from its height (a beat also clears silence). */
  #evaluate(n: Tracked, beat = false): void {
    if (n.state === 'silent' && !beat) return
    const lag = this.#highest - n.last.height
    const next: NodeState = lag > this.heightThreshold ? 'behind' : 'ok'
    this.#transition(n, next, {
      height: n.last.height,
      highest: this.#highest,
      message:
        next === 'behind'
          ? `height ${n.last.height} is ${lag} behind the highest ${this.#highest}`
          : `back to normal at height ${n.last.height}`,
    })
  }

  #transition(
    n: Tracked,
    next: NodeState,
    detail: Pick<HeartbeatAlert, 'message' | 'silentFor' | 'height' | 'highest'>,
  ): void {
    const from = n.state
    if (from === next) return
    n.state = next
    const alert: HeartbeatAlert = {
      kind: next === 'ok' ? 'recovered' : next,
      nodeId: n.id,
      nickname: n.last.nickname,
      at: this.#clock.now(),
      ...detail,
      ...(next === 'ok' && from !== 'ok' ? { from } : {}),
    }
    this.#raise(alert)
  }

  #raise(alert: HeartbeatAlert): void {
    this.#alerts.push(alert)
    if (this.#alerts.length > this.#maxAlerts) this.#alerts.shift()
    const fields = { node: alert.nodeId.slice(0, 16), nickname: alert.nickname, kind: alert.kind }
    if (alert.kind === 'recovered') this.#log.info(`alert: ${alert.message}`, fields)
    else this.#log.warn(`alert: ${alert.message}`, fields)
    this.emit('alert', alert)
    for (const h of this.#handlers) {
      try {
        const r = h(alert)
        if (r instanceof Promise) {
          r.catch((err: unknown) => this.#log.error('alert handler failed', { err }))
        }
      } catch (err) {
        this.#log.error('alert handler failed', { err })
      }
    }
    this.#webhook?.post(alert)
  }

  #evictOldest(): void {
    let oldest: Tracked | undefined
    for (const n of this.#nodes.values()) if (!oldest || n.lastSeen < oldest.lastSeen) oldest = n
    if (!oldest) return
    if (oldest.timer !== undefined) this.#clock.clearTimeout(oldest.timer)
    this.#nodes.delete(oldest.id)
    this.#log.debug('node forgotten (node limit)', { node: oldest.id.slice(0, 16) })
    if (oldest.last.height === this.#highest) this.#recomputeHighest()
  }

  #recomputeHighest(except?: Tracked): void {
    let h = 0
    for (const n of this.#nodes.values()) h = Math.max(h, n.last.height)
    this.#setHighest(h, except)
  }

  /** A new highest height can put other nodes behind, or bring them back. */
  #setHighest(h: number, except?: Tracked): void {
    if (h === this.#highest) return
    this.#highest = h
    for (const other of this.#nodes.values()) if (other !== except) this.#evaluate(other)
  }
}
