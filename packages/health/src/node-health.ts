import { type Clock, type Logger, noopLogger, type Startable, systemClock } from '@x/core'
import type { Server } from '@x/p2p'
import { type HealthHttpOptions, HealthHttpServer, healthHttpDefaults } from './http.js'
import { LivenessMonitor } from './liveness.js'
import { PingProtocol } from './ping/protocol.js'
import type { DisconnectPeer } from './policy.js'
import {
  checkReadiness,
  type DiscoverySource,
  discoveryRunning,
  type Readiness,
  type ReadinessSource,
} from './readiness.js'
import { attachServer, serverDisconnect, serverReadiness } from './server.js'
import type { HealthThresholds } from './state.js'
import { type HealthStateChange, HealthTracker } from './tracker.js'

export interface NodeHealthOptions {
  /** What `/readyz` checks; `attach(server)` sets it from the server when not given. */
  readiness?: ReadinessSource
  /**
   * The node's discovery, for `/readyz`: `@x/discover`'s `Discovery` (running while started), a
   * `{ running() }` probe or a function. May be given to `attach` instead.
   */
  discovery?: DiscoverySource
  /**
   * Serve the HTTP endpoints on this address (off when not given; host default 127.0.0.1), with
   * the node's own read-only JSON `routes` next to them (see `HealthHttpOptions.routes`) and its
   * POST handlers (`HealthHttpOptions.post`, e.g. a JSON-RPC API).
   */
  http?: {
    host?: string
    port: number
    routes?: HealthHttpOptions['routes']
    post?: HealthHttpOptions['post']
  }
  /** Fewest peers for readiness (default 1). */
  minPeers?: number
  /** When false, readiness does not require discovery (default true). */
  requireDiscovery?: boolean
  thresholds?: HealthThresholds
  /** ping/1 interval and timeout (defaults 15 000 / 5 000 ms). */
  pingInterval?: number
  pingTimeout?: number
  /** Liveness: silence before a peer is unhealthy (default 30 000 ms). */
  silenceTimeout?: number
  /**
   * Log every `peer:state` change through `logger` while started (default true): `warn` when a
   * peer turns unhealthy, `info` otherwise, as `peer health changed` with `id` (16 hex
   * characters), `previous`, `state`, `reason` and `lastFailure`.
   */
  logStateChanges?: boolean
  /** Policy: disconnect unhealthy peers (default false), through `disconnect` or the attached server. */
  dropUnhealthy?: boolean
  disconnect?: DisconnectPeer
  clock?: Clock
  logger?: Logger
}

/**
 * Everything a node needs for peer health, wired together: the tracker, the `ping/1` protocol
 * (add `health.ping` to the server's protocols and `health.liveness.messageEvent` as its
 * `onMessage`), the liveness monitor (fed by `attach(server)`) and, when `http` is given, the
 * operator endpoints. Construction opens nothing; `start()` starts the monitor and binds the
 * HTTP port, `stop()` closes both and detaches from the server.
 */
export class NodeHealth implements Startable {
  readonly tracker: HealthTracker
  readonly ping: PingProtocol
  readonly liveness: LivenessMonitor
  readonly http: HealthHttpServer | undefined
  #readiness: ReadinessSource | undefined
  #discovery: (() => boolean) | undefined
  #disconnect: DisconnectPeer | undefined
  #attached: AbortController | undefined
  readonly #log: Logger
  readonly #logStateChanges: boolean
  #started: AbortController | undefined
  readonly #source: ReadinessSource & { peerCount(): number }
  readonly #minPeers: number
  readonly #requireDiscovery: boolean

  constructor(options: NodeHealthOptions = {}) {
    const clock = options.clock ?? systemClock
    const logger = options.logger ?? noopLogger
    this.#readiness = options.readiness
    this.#log = logger.child({ component: 'health' })
    this.#logStateChanges = options.logStateChanges ?? true
    this.#discovery = options.discovery && discoveryRunning(options.discovery)
    this.#disconnect = options.disconnect
    this.tracker = new HealthTracker({
      clock,
      ...(options.thresholds && { thresholds: options.thresholds }),
    })
    this.ping = new PingProtocol({
      clock,
      tracker: this.tracker,
      forgetPeers: false,
      logger,
      ...(options.pingInterval !== undefined && { interval: options.pingInterval }),
      ...(options.pingTimeout !== undefined && { timeout: options.pingTimeout }),
    })
    this.liveness = new LivenessMonitor({
      tracker: this.tracker,
      ping: this.ping,
      clock,
      logger,
      ...(options.silenceTimeout !== undefined && { silenceTimeout: options.silenceTimeout }),
      ...(options.dropUnhealthy !== undefined && { dropUnhealthy: options.dropUnhealthy }),
      disconnect: (id, reason) => this.#disconnect?.(id, reason),
    })
    const self = this
    this.#source = {
      get listening() {
        return self.#readiness?.listening ?? false
      },
      get discoveryRunning() {
        return self.#readiness?.discoveryRunning ?? self.#discovery?.() ?? false
      },
      peerCount: () => self.#readiness?.peerCount?.() ?? self.tracker.size,
    }
    this.#minPeers = options.minPeers ?? healthHttpDefaults.minPeers
    this.#requireDiscovery = options.requireDiscovery ?? true
    this.http = options.http
      ? new HealthHttpServer({
          ...options.http,
          readiness: this.#source,
          tracker: this.tracker,
          clock,
          logger,
          minPeers: this.#minPeers,
          requireDiscovery: this.#requireDiscovery,
        })
      : undefined
  }

  /**
   * Watches `server`: its peers feed the liveness monitor, unhealthy peers are disconnected
   * through it (when `dropUnhealthy`), and readiness comes from it (unless `readiness` was
   * given): listening, peer count, and `discovery` (this option, else the constructor's).
   * Until `stop()`.
   */
  attach(
    server: Pick<Server, 'addEventListener' | 'peers' | 'peerCount' | 'listenAddress' | 'running'>,
    options: { discovery?: DiscoverySource } = {},
  ): void {
    this.#attached?.abort()
    this.#attached = new AbortController()
    attachServer(this.liveness, server, this.#attached.signal)
    this.#disconnect ??= serverDisconnect(server)
    if (options.discovery) this.#discovery = discoveryRunning(options.discovery)
    this.#readiness ??= serverReadiness(server, () => this.#discovery?.() ?? false)
  }

  /** The verdict `/readyz` gives now (also without HTTP). */
  readiness(): Readiness {
    const peers = this.#source.peerCount()
    return checkReadiness(this.#source, peers, this.#minPeers, this.#requireDiscovery)
  }

  /** Starts the liveness monitor, the state-change log and the HTTP endpoints. */
  async start(): Promise<void> {
    if (!this.#started) {
      this.#started = new AbortController()
      if (this.#logStateChanges) {
        this.tracker.addEventListener('peer:state', (e) => this.#logChange(e.detail), {
          signal: this.#started.signal,
        })
      }
    }
    await this.liveness.start()
    try {
      await this.http?.start()
    } catch (err) {
      this.#started.abort()
      this.#started = undefined
      await this.liveness.stop()
      throw err
    }
  }

  /** Stops the monitor, detaches from the server and closes the HTTP port. Idempotent. */
  async stop(): Promise<void> {
    this.#attached?.abort()
    this.#attached = undefined
    this.#started?.abort()
    this.#started = undefined
    await this.liveness.stop()
    await this.http?.stop()
  }

  #logChange(c: HealthStateChange): void {
    const fields = {
      peer: c.id.slice(0, 16),
      previous: c.previous,
      state: c.state,
      reason: c.reason,
      lastFailure: c.lastFailure,
    }
    if (c.state === 'unhealthy') this.#log.warn('peer health changed', fields)
    else this.#log.info('peer health changed', fields)
  }
}
