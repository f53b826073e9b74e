import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { DemoError } from '../errors.js'
import type { Snapshot } from './snapshot.js'

/** SSE clients at once; one more is refused (503). */
export const maxClients = 16
/** Largest control request body. */
const maxBody = 4_096

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
}

/** A control request from the page: `POST /api/control` with this JSON body. */
export type Control =
  | { op: 'stop' | 'restart'; node: string }
  | { op: 'add' }
  | { op: 'partition' | 'heal'; a: string; b: string }

export interface DashboardOptions {
  /** The built page (dist/web). */
  root: string
  port: number
  snapshot: (full: boolean) => Snapshot
  control: (c: Control) => Promise<unknown>
}

/**
 * The dashboard's HTTP server on 127.0.0.1: the page, `GET /api/state` (a full snapshot, with
 * the timeline), `GET /api/events` (server-sent events: a snapshot per `push()`) and
 * `POST /api/control`. `stop()` ends every stream and connection.
 */
export class DashboardServer {
  readonly #o: DashboardOptions
  readonly #clients = new Set<ServerResponse>()
  #server: Server | undefined

  constructor(options: DashboardOptions) {
    this.#o = options
  }

  get url(): string | undefined {
    const a = this.#server?.address() as AddressInfo | null | undefined
    return a ? `http://127.0.0.1:${a.port}/` : undefined
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) json(res, 500, { error: String(err) })
        else res.end()
      })
    })
    server.headersTimeout = 5_000
    server.keepAliveTimeout = 5_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#o.port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.#server = server
    return this.url ?? ''
  }

  /** Sends the current snapshot to every stream. */
  push(): void {
    if (this.#clients.size === 0) return
    const data = `data: ${JSON.stringify(this.#o.snapshot(false))}\n\n`
    for (const c of this.#clients) c.write(data)
  }

  async stop(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    for (const c of this.#clients) c.end()
    this.#clients.clear()
    if (!server) return
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path === '/api/control') {
      if (req.method !== 'POST') return json(res, 405, { error: 'POST only' })
      let control: Control
      try {
        control = JSON.parse(await body(req)) as Control
      } catch {
        return json(res, 400, { error: 'body must be JSON' })
      }
      try {
        return json(res, 200, { ok: true, result: await this.#o.control(control) })
      } catch (err) {
        const status = err instanceof DemoError ? 400 : 500
        return json(res, status, { ok: false, error: (err as Error).message })
      }
    }
    if (req.method !== 'GET') return json(res, 405, { error: 'GET only' })
    if (path === '/api/state') return json(res, 200, this.#o.snapshot(true))
    if (path === '/api/events') return this.#stream(res)
    return this.#file(path, res)
  }

  #stream(res: ServerResponse): void {
    if (this.#clients.size >= maxClients) {
      json(res, 503, { error: 'too many clients' })
      return
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    })
    res.write(`data: ${JSON.stringify(this.#o.snapshot(false))}\n\n`)
    this.#clients.add(res)
    res.on('close', () => this.#clients.delete(res))
  }

  async #file(path: string, res: ServerResponse): Promise<void> {
    const rel = normalize(path === '/' ? '/index.html' : path)
    const file = join(this.#o.root, rel)
    if (!file.startsWith(this.#o.root + sep)) return json(res, 404, { error: 'not found' })
    let content: Buffer
    try {
      content = await readFile(file)
    } catch {
      return json(res, 404, { error: 'not found' })
    }
    res.writeHead(200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'content-length': content.length,
    })
    res.end(content)
  }
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  })
  res.end(text)
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      text += chunk
      if (text.length > maxBody) {
        reject(new DemoError('ERR_BAD_CONTROL', 'body too large'))
        req.destroy()
      }
    })
    req.on('end', () => resolve(text))
    req.on('error', reject)
  })
}
