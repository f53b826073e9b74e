import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger, Startable } from '@x/core'
import type { Registry } from 'prom-client'

/** Paths of the Prometheus text: ours, and go-ethereum's (`--metrics.addr` serves it there). */
export const metricsPaths = ['/metrics', '/debug/metrics/prometheus'] as const

/**
 * The `--metrics` HTTP endpoint: `GET /metrics` (and geth's `/debug/metrics/prometheus`)
 * answers the registry in Prometheus text format; anything else 404, other methods 405.
 * Construct, then `start()` binds; `stop()` closes the port and every connection.
 */
export class MetricsServer implements Startable {
  readonly #registry: Registry
  readonly #host: string
  readonly #port: number
  readonly #log: Logger
  #server: Server | undefined

  constructor(o: { registry: Registry; host: string; port: number; logger: Logger }) {
    this.#registry = o.registry
    this.#host = o.host
    this.#port = o.port
    this.#log = o.logger
  }

  get address(): { host: string; port: number } | undefined {
    const a = this.#server?.address() as AddressInfo | null | undefined
    return a ? { host: a.address, port: a.port } : undefined
  }

  async start(): Promise<void> {
    if (this.#server) return
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/'
      if (!(metricsPaths as readonly string[]).includes(path)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
        return
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end()
        return
      }
      this.#registry.metrics().then(
        (text) => {
          res.writeHead(200, {
            'content-type': this.#registry.contentType,
            'content-length': Buffer.byteLength(text),
          })
          res.end(req.method === 'HEAD' ? undefined : text)
        },
        (err: unknown) => {
          this.#log.warn('metrics collection failed', { err: String(err) })
          res.writeHead(500).end()
        },
      )
    })
    server.headersTimeout = 5_000
    server.requestTimeout = 10_000
    server.keepAliveTimeout = 5_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#port, this.#host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', (err) => this.#log.warn('metrics server error', { err: err.message }))
    this.#server = server
    const a = this.address
    this.#log.info('metrics endpoint listening', { url: `http://${a?.host}:${a?.port}/metrics` })
  }

  async stop(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    if (!server) return
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }
}
