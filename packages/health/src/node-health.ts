import { type Clock, type Logger, noopLogger, systemClock } from '@x/discover'
import { HealthHttpServer, type ReadinessSource } from './http.js'
import { LivenessMonitor } from './liveness.js'
import { PingProtocol } from './ping/protocol.js'
import type { DisconnectPeer } from './policy.js'
import type { HealthThresholds } from './state.js'
import { HealthTracker } from './tracker.js'

export interface NodeHealthOptions {
  /** What `/readyz` checks (the server and discovery). */
  readiness: ReadinessSource
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
  /** Policy: disconnect unhealthy peers through `disconnect` (default false). */
  dropUnhealthy?: boolean
  disconnect?: DisconnectPeer
  clock?: Clock
  logger?: Logger
}

/**
 * Everything a node needs for peer health, wired together: the tracker, the `ping/1` protocol
 * (add `health.ping` to the server's protocols), the liveness monitor (feed it the server's
 * peer events and message events) and, when `http` is given, the operator endpoints.
 */
export class NodeHealth {
  readonly tracker: HealthTracker
  readonly ping: PingProtocol
  readonly liveness: LivenessMonitor
  readonly http: HealthHttpServer | undefined

  constructor(options: NodeHealthOptions) {
    const clock = options.clock ?? systemClock
    const logger = options.logger ?? noopLogger
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
      ...(options.disconnect && { disconnect: options.disconnect }),
    })
    this.http = options.http
      ? new HealthHttpServer({
          ...options.http,
          readiness: options.readiness,
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

  /** Stops the monitor and closes the HTTP port. Idempotent. */
  async stop(): Promise<void> {
    this.liveness.stop()
    await this.http?.stop()
  }
}
