import { type Clock, type Logger, noopLogger, systemClock } from '@x/discover'
import type { Server } from '@x/p2p'
import { HealthHttpServer, type ReadinessSource } from './http.js'
import { LivenessMonitor } from './liveness.js'
import { PingProtocol } from './ping/protocol.js'
import type { DisconnectPeer } from './policy.js'
import { attachServer, serverDisconnect, serverReadiness } from './server.js'
import type { HealthThresholds } from './state.js'
import { HealthTracker } from './tracker.js'

export interface NodeHealthOptions {
  /** What `/readyz` checks; `attach(server)` sets it from the server when not given. */
  readiness?: ReadinessSource
  /** Serve the HTTP endpoints on this address (off when not given). */
  http?: { host?: string; port: number }
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
 * operator endpoints.
 */
export class NodeHealth {
  readonly tracker: HealthTracker
  readonly ping: PingProtocol
  readonly liveness: LivenessMonitor
  readonly http: HealthHttpServer | undefined
  #readiness: ReadinessSource | undefined
  #disconnect: DisconnectPeer | undefined
  #attached: AbortController | undefined

  constructor(options: NodeHealthOptions = {}) {
    const clock = options.clock ?? systemClock
    const logger = options.logger ?? noopLogger
    this.#readiness = options.readiness
    this.#disconnect = options.disconnect
    this.tracker = new HealthTracker({
      clock,
      ...(options.thresholds && { thresholds: options.thresholds }),
    })
    this.ping = new PingProtocol({
      clock,
      tracker: this.tracker,
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
    this.http = options.http
      ? new HealthHttpServer({
          ...options.http,
          readiness: {
            get listening() {
              return self.#readiness?.listening ?? false
            },
            get discoveryRunning() {
              return self.#readiness?.discoveryRunning ?? false
            },
            peerCount: () => self.#readiness?.peerCount?.() ?? self.tracker.size,
          },
          tracker: this.tracker,
          clock,
          logger,
          ...(options.minPeers !== undefined && { minPeers: options.minPeers }),
          ...(options.requireDiscovery !== undefined && {
            requireDiscovery: options.requireDiscovery,
          }),
        })
      : undefined
  }

  /**
   * Watches `server`: its peers feed the liveness monitor, unhealthy peers are disconnected
   * through it (when `dropUnhealthy`), and readiness comes from it (unless given) with
   * `discoveryRunning` from the node. Until `stop()`.
   */
  attach(
    server: Pick<Server, 'addEventListener' | 'peers' | 'peerCount' | 'listenAddress' | 'running'>,
    options: { discoveryRunning?: () => boolean } = {},
  ): void {
    this.#attached?.abort()
    this.#attached = new AbortController()
    attachServer(this.liveness, server, this.#attached.signal)
    this.#disconnect ??= serverDisconnect(server)
    this.#readiness ??= serverReadiness(server, options.discoveryRunning)
  }

  /** Starts the liveness monitor and the HTTP endpoints. */
  async start(): Promise<void> {
    this.liveness.start()
    try {
      await this.http?.start()
    } catch (err) {
      this.liveness.stop()
      throw err
    }
  }

  /** Stops the monitor, detaches from the server and closes the HTTP port. Idempotent. */
  async stop(): Promise<void> {
    this.#attached?.abort()
    this.#attached = undefined
    this.liveness.stop()
    await this.http?.stop()
  }
}
