import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Clock, type Logger, noopLogger, systemClock } from '@x/core'
import { HealthError } from './errors.js'
import { checkReadiness, type Readiness, type ReadinessSource } from './readiness.js'
import type { HealthTracker } from './tracker.js'

export interface HealthHttpOptions {
  /** Bind address (default 127.0.0.1: endpoints are for local probes unless told otherwise). */
  host?: string
  /** Port (default 0: any free port; read it back from `address`). */
  port?: number
  readiness: ReadinessSource
  /** Peers for `/health/peers`. */
  tracker?: HealthTracker
  /** Fewest peers for `/readyz` to pass (default 1). */
  minPeers?: number
  /** When false, `/readyz` does not require discovery (default true). */
  requireDiscovery?: boolean
  /** `/healthz` fails when the event loop lagged more than this (default 2 000 ms). */
  maxEventLoopDelay?: number
  /** How often the event loop lag is sampled (default 500 ms). */
  lagSampleInterval?: number
  /**
   * More read-only JSON endpoints, by exact path (e.g. `/node`): each GET calls its function and
   * answers 200 with the result. The built-in paths cannot be replaced.
   */
  routes?: Readonly<Record<string, () => unknown>>
  /**
   * Handlers of POST requests, by exact path (e.g. `/` for a JSON-RPC API on the same port):
   * each reads the request body and answers itself. Other methods on those paths get 405.
   */
  post?: Readonly<Record<string, PostHandler>>
  clock?: Clock
  monotonic?: () => number
  logger?: Logger
}

/** Answers one POST request (reads `req`, writes `res`). */
export type PostHandler = (req: IncomingMessage, res: ServerResponse) => void

export const healthHttpDefaults = {
  host: '127.0.0.1',
  port: 0,
  minPeers: 1,
  maxEventLoopDelay: 2_000,
  lagSampleInterval: 500,
}

/**
 * The operator endpoints: `GET /healthz` (liveness: the process answers and its event loop is
 * not stalled), `GET /readyz` (readiness, 503 with the reasons otherwise) and
 * `GET /health/peers` (every peer's id, address, RTT statistics and state, best first).
 */
export class HealthHttpServer {
  readonly #o: HealthHttpOptions & typeof healthHttpDefaults
  readonly #requireDiscovery: boolean
  readonly #clock: Clock
  readonly #monotonic: () => number
  readonly #log: Logger
  #server: Server | undefined
  #lagTimer: ReturnType<Clock['setTimeout']> | undefined
  #lag = 0
  #startedAt = 0

  constructor(options: HealthHttpOptions) {
    this.#o = {
      ...healthHttpDefaults,
      ...options,
      host: options.host ?? healthHttpDefaults.host,
      port: options.port ?? healthHttpDefaults.port,
      minPeers: options.minPeers ?? healthHttpDefaults.minPeers,
      maxEventLoopDelay: options.maxEventLoopDelay ?? healthHttpDefaults.maxEventLoopDelay,
      lagSampleInterval: options.lagSampleInterval ?? healthHttpDefaults.lagSampleInterval,
    }
    this.#requireDiscovery = options.requireDiscovery ?? true
    this.#clock = options.clock ?? systemClock
    this.#monotonic = options.monotonic ?? (() => performance.now())
    this.#log = (options.logger ?? noopLogger).child({ component: 'health-http' })
  }

  /** The bound address once started. */
  get address(): { host: string; port: number } | undefined {
    const a = this.#server?.address() as AddressInfo | null | undefined
    return a ? { host: a.address, port: a.port } : undefined
  }

  /** Binds and starts serving; resolves with the bound address. */
  async start(): Promise<{ host: string; port: number }> {
    if (this.#server) return this.address!
    const server = createServer((req, res) => this.#handle(req, res))
    server.headersTimeout = 5_000
    server.requestTimeout = 10_000
    server.maxHeadersCount = 32
    server.keepAliveTimeout = 5_000
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) =>
        reject(new HealthError('ERR_HTTP_SERVER', `cannot listen: ${err.message}`, { cause: err }))
      server.once('error', onError)
      server.listen(this.#o.port, this.#o.host, () => {
        server.off('error', onError)
        resolve()
      })
    })
    server.on('error', (err) => this.#log.warn('http server error', { err }))
    this.#server = server
    this.#startedAt = this.#monotonic()
    this.#sampleLag()
    const addr = this.address!
    this.#log.info('health endpoints listening', addr)
    return addr
  }

  /** Stops listening, closes every connection and timer. */
  async stop(): Promise<void> {
    if (this.#lagTimer !== undefined) this.#clock.clearTimeout(this.#lagTimer)
    this.#lagTimer = undefined
    const server = this.#server
    if (!server) return
    this.#server = undefined
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }

  /** The readiness verdict `/readyz` would give now. */
  readiness(): Readiness {
    const peers = this.#o.readiness.peerCount?.() ?? this.#o.tracker?.size ?? 0
    return checkReadiness(this.#o.readiness, peers, this.#o.minPeers, this.#requireDiscovery)
  }

  #sampleLag(): void {
    const interval = this.#o.lagSampleInterval
    const expected = this.#monotonic() + interval
    this.#lagTimer = this.#clock.setTimeout(() => {
      this.#lag = Math.max(0, this.#monotonic() - expected)
      if (this.#server) this.#sampleLag()
    }, interval)
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const post = this.#o.post && Object.hasOwn(this.#o.post, path) ? this.#o.post[path] : undefined
    if (post && req.method === 'POST') {
      post(req, res)
      return
    }
    if (post || (req.method !== 'GET' && req.method !== 'HEAD')) {
      reply(res, 405, { error: 'method not allowed' }, { allow: post ? 'POST' : 'GET, HEAD' })
      return
    }
    switch (path) {
      case '/healthz': {
        const lag = Math.round(this.#lag)
        const ok = lag <= this.#o.maxEventLoopDelay
        const uptime = Math.round((this.#monotonic() - this.#startedAt) / 1000)
        reply(res, ok ? 200 : 503, {
          status: ok ? 'ok' : 'event loop stalled',
          eventLoopLagMs: lag,
          uptimeSeconds: uptime,
        })
        return
      }
      case '/readyz': {
        const r = this.readiness()
        reply(res, r.ready ? 200 : 503, {
          status: r.ready ? 'ready' : 'not ready',
          reasons: r.reasons,
          peers: r.peers,
          minPeers: this.#o.minPeers,
        })
        return
      }
      case '/health/peers': {
        const peers = this.#o.tracker?.peersByRtt({ includeUnhealthy: true }) ?? []
        reply(res, 200, { count: peers.length, peers })
        return
      }
      default:
        this.#route(path, res)
    }
  }

  /** One of the extra `routes`, else 404; a route that throws answers 500 (and is logged). */
  #route(path: string, res: ServerResponse): void {
    const routes = this.#o.routes
    const route = routes && Object.hasOwn(routes, path) ? routes[path] : undefined
    if (!route) {
      reply(res, 404, { error: 'not found' })
      return
    }
    try {
      reply(res, 200, route())
    } catch (err) {
      this.#log.warn('http route failed', { path, err })
      reply(res, 500, { error: 'internal error' })
    }
  }
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  // Absent statistics are `null`, not missing keys, so every peer has the same shape.
  const text = `${JSON.stringify(body, (_, v) => (v === undefined ? null : v))}\n`
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(res.req.method === 'HEAD' ? undefined : text)
}
