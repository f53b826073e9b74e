import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from '@x/core'

/**
 * JSON-RPC 2.0 over HTTP POST, as go-ethereum's `rpc` package answers it: one call or a batch
 * (an array; notifications, calls without `id`, get no answer), errors with the spec's codes,
 * a request body limit and a batch limit (geth's defaults).
 */
export const rpcLimits = {
  /** Largest request body (geth's `maxRequestContentLength`): 413 beyond it. */
  maxRequestBytes: 5 * 1024 * 1024,
  /** Most calls in one batch (geth's `BatchRequestLimit`). */
  maxBatchItems: 1000,
} as const

export const rpcErrorCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /** A method that failed (geth's `errcodeDefault`). */
  server: -32000,
} as const

/** An error a method answers with: its `code` and message go into the response. */
export class RpcError extends Error {
  override name = 'RpcError'
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

/** A method: how many positional parameters it takes, and what it does with them. */
export interface RpcMethod {
  params: number
  call(params: unknown[]): unknown
}

type Id = string | number | null
interface Response {
  jsonrpc: '2.0'
  id: Id
  result?: unknown
  error?: { code: number; message: string }
}

const failure = (id: Id, code: number, message: string): Response => ({
  jsonrpc: '2.0',
  id,
  error: { code, message },
})

function isId(v: unknown): v is Id {
  return v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))
}

async function callOne(
  methods: Readonly<Record<string, RpcMethod>>,
  msg: unknown,
  log: Logger,
): Promise<Response | undefined> {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    return failure(null, rpcErrorCodes.invalidRequest, 'invalid request')
  }
  const { jsonrpc, method, params } = msg as Record<string, unknown>
  const hasId = Object.hasOwn(msg, 'id')
  const rawId = (msg as { id?: unknown }).id
  const id = isId(rawId) ? rawId : null
  if (jsonrpc !== '2.0' || typeof method !== 'string' || (hasId && !isId(rawId))) {
    return failure(id, rpcErrorCodes.invalidRequest, 'invalid request')
  }
  const answer = (r: Response) => (hasId ? r : undefined)
  const m = Object.hasOwn(methods, method) ? methods[method] : undefined
  if (!m) {
    return answer(
      failure(
        id,
        rpcErrorCodes.methodNotFound,
        `the method ${method} does not exist/is not available`,
      ),
    )
  }
  if (params !== undefined && params !== null && !Array.isArray(params)) {
    return answer(failure(id, rpcErrorCodes.invalidParams, 'non-array args'))
  }
  const args = (params ?? []) as unknown[]
  if (args.length > m.params) {
    return answer(
      failure(id, rpcErrorCodes.invalidParams, `too many arguments, want at most ${m.params}`),
    )
  }
  try {
    return answer({ jsonrpc: '2.0', id, result: (await m.call(args)) ?? null })
  } catch (err) {
    if (err instanceof RpcError) return answer(failure(id, err.code, err.message))
    log.warn('rpc method failed', { method, err: String(err) })
    return answer(failure(id, rpcErrorCodes.internal, 'internal error'))
  }
}

/**
 * Answers one request body: the response object, an array of them for a batch, or undefined
 * when nothing is owed (only notifications).
 */
export async function handleRpc(
  body: string,
  methods: Readonly<Record<string, RpcMethod>>,
  log: Logger,
): Promise<Response | Response[] | undefined> {
  let msg: unknown
  try {
    msg = JSON.parse(body)
  } catch {
    return failure(null, rpcErrorCodes.parseError, 'parse error')
  }
  if (!Array.isArray(msg)) return callOne(methods, msg, log)
  if (msg.length === 0) return failure(null, rpcErrorCodes.invalidRequest, 'empty batch')
  if (msg.length > rpcLimits.maxBatchItems) {
    // As geth: one error for the whole batch, with the first call's id.
    const first = msg.find((m) => typeof m === 'object' && m !== null && isId(m.id))
    return failure(first?.id ?? null, rpcErrorCodes.invalidRequest, 'batch too large')
  }
  const out: Response[] = []
  for (const m of msg) {
    const r = await callOne(methods, m, log)
    if (r) out.push(r)
  }
  return out.length > 0 ? out : undefined
}

function send(res: ServerResponse, status: number, body?: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': body === undefined ? 0 : Buffer.byteLength(body),
  })
  res.end(body)
}

/**
 * The HTTP side: a POST handler (for the health server's `post` routes). As geth, the body must
 * be `application/json` (415 otherwise: a browser cannot send that cross-origin without a
 * preflight, so a web page cannot call admin methods) and at most `maxRequestBytes` (413).
 */
export function rpcHttpHandler(
  methods: Readonly<Record<string, RpcMethod>>,
  log: Logger,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json') {
      send(
        res,
        415,
        JSON.stringify({ error: 'invalid content type, only application/json is supported' }),
      )
      req.resume()
      return
    }
    if (Number(req.headers['content-length'] ?? 0) > rpcLimits.maxRequestBytes) {
      send(res, 413, JSON.stringify({ error: 'content length too large' }))
      req.resume()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > rpcLimits.maxRequestBytes) {
        if (!over) send(res, 413, JSON.stringify({ error: 'content length too large' }))
        over = true
        chunks.length = 0
      } else chunks.push(c)
    })
    req.on('end', () => {
      if (over) return
      handleRpc(Buffer.concat(chunks).toString('utf8'), methods, log).then(
        (r) => send(res, 200, r === undefined ? undefined : JSON.stringify(r)),
        (err: unknown) => {
          log.warn('rpc request failed', { err: String(err) })
          send(res, 500)
        },
      )
    })
  }
}
