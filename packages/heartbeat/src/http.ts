import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Logger, noopLogger } from '@x/core'
import type { Aggregator } from './aggregator.js'
import { HeartbeatError } from './errors.js'

export const aggregatorHttpDefaults = {
  /** Local only unless told otherwise. */
  host: '127.0.0.1',
  port: 0,
  /** Alerts returned by `/alerts` without `?limit=`. */
  alertsLimit: 100,
}

export interface AggregatorHttpOptions {
  aggregator: Aggregator
  host?: string
  /** 0 = any free port; read it back from `address`. */
  port?: number
  logger?: Logger
}

/**
 * The aggregator's JSON API, the data a dashboard needs:
 * - `GET /nodes` → `{ highest, nodes: NodeStatus[] }` (each node's last beat and state)
 * - `GET /nodes/:id` → `NodeStatus` (404 when unknown)
 * - `GET /nodes/:id/history` → `{ id, history: HistoryEntry[] }` (oldest first)
 * - `GET /alerts[?limit=n]` → `{ alerts: HeartbeatAlert[] }` (oldest first)
 * Anything else is 404 (405 for other methods, 400 for a malformed URL). Responses are
 * `application/json`.
 */
export class AggregatorHttpServer {
  readonly #aggregator: Aggregator
  readonly #host: string
  readonly #port: number
  readonly #log: Logger
  #server: Server | undefined

  /** Opens nothing: `start()` binds, `stop()` closes the port and every connection. */
  constructor(options: AggregatorHttpOptions) {
    this.#aggregator = options.aggregator
    this.#host = options.host ?? aggregatorHttpDefaults.host
    this.#port = options.port ?? aggregatorHttpDefaults.port
    this.#log = options.logger ?? noopLogger
  }

  /** The bound address once started. */
  get address(): { host: string; port: number } | undefined {
    const a = this.#server?.address() as AddressInfo | null | undefined
    return a ? { host: a.address, port: a.port } : undefined
  }

  /** Binds and serves; resolves once listening (rejects with `ERR_HTTP_SERVER`). */
  async start(): Promise<void> {
    if (this.#server) return
    const server = createServer((req, res) => this.#handle(req, res))
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) =>
        reject(new HeartbeatError('ERR_HTTP_SERVER', `cannot listen: ${String(cause)}`, { cause })),
      )
      server.listen(this.#port, this.#host, resolve)
    })
    server.on('error', (err) => this.#log.warn('aggregator http error', { err }))
    this.#server = server
  }

  /** Closes the port and every open connection. Idempotent. */
  async stop(): Promise<void> {
    const server = this.#server
    if (!server) return
    this.#server = undefined
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(JSON.stringify(body))
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, { error: 'method not allowed' })
      return
    }
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://localhost')
    } catch {
      // A request target such as `//[` is no URL: answered, never thrown out of the handler.
      send(400, { error: 'bad request URL' })
      return
    }
    const agg = this.#aggregator
    const parts = url.pathname.split('/').filter((p) => p !== '')
    if (parts.length === 1 && parts[0] === 'nodes') {
      send(200, { highest: agg.highest, nodes: agg.nodes() })
    } else if (parts.length === 2 && parts[0] === 'nodes') {
      const node = agg.node(parts[1] as string)
      if (node) send(200, node)
      else send(404, { error: 'unknown node' })
    } else if (parts.length === 3 && parts[0] === 'nodes' && parts[2] === 'history') {
      const id = parts[1] as string
      const history = agg.history(id)
      if (history) send(200, { id, history })
      else send(404, { error: 'unknown node' })
    } else if (parts.length === 1 && parts[0] === 'alerts') {
      const raw = url.searchParams.get('limit')
      const limit = raw === null ? aggregatorHttpDefaults.alertsLimit : Number(raw)
      if (!Number.isSafeInteger(limit) || limit < 0) {
        send(400, { error: 'limit must be a non-negative integer' })
        return
      }
      send(200, { alerts: agg.alerts(limit) })
    } else {
      send(404, { error: 'not found' })
    }
  }
}
