import { parseEnode } from '@x/discover'
import { DemoError } from './errors.js'
import type { LogLine, NodeProcess } from './proc.js'

/** How long one JSON request to a node may take. */
export const requestTimeoutMs = 3_000

/** The 16 hex characters node-app logs as a peer's `id`. */
export const shortId = (idHex: string) => idHex.slice(0, 16)

/** What a started node-app said about itself in its `node started` line. */
export interface Started {
  enode: string
  /** Node ID, 128 hex. */
  id: string
  line: LogLine
}

export async function started(p: NodeProcess, timeoutMs = 30_000): Promise<Started> {
  const line = await p.waitFor('node started', undefined, timeoutMs)
  const enode = String(line.enode)
  return { enode, id: parseEnode(enode).idHex, line }
}

/** The base URL of a node's health endpoints (`--http.port 0`), from its log. */
export async function healthUrl(p: NodeProcess): Promise<string> {
  const l = await p.waitFor('health endpoints listening', undefined, 30_000)
  return `http://${String(l.host)}:${Number(l.port)}`
}

/** The aggregator's HTTP API URL, from its log. */
export async function aggregatorUrl(p: NodeProcess): Promise<string> {
  return String((await p.waitFor('aggregator endpoints', undefined, 30_000)).url)
}

/** GETs JSON, bounded by `requestTimeoutMs`. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(requestTimeoutMs) })
  if (!res.ok) throw new DemoError('ERR_STEP_FAILED', `GET ${url}: HTTP ${res.status}`)
  return (await res.json()) as T
}

/** ms between two log lines' `t` (the node's own clock). */
export const between = (a: LogLine | number, b: LogLine) =>
  Date.parse(b.t) - (typeof a === 'number' ? a : Date.parse(a.t))

/** Flags every devnet and story node gets: its datadir, any ports, devnet, health endpoints. */
export function nodeFlags(o: {
  datadir: string
  nickname: string
  aggregator: string
  beatMs: number
  bootnodes?: string
  maxpeers?: number
  extra?: readonly string[]
}): string[] {
  return [
    '--datadir',
    o.datadir,
    '--port',
    '0',
    '--network',
    'devnet',
    '--http.port',
    '0',
    '--heartbeat.target',
    o.aggregator,
    '--heartbeat.period',
    `${o.beatMs}ms`,
    '--heartbeat.nickname',
    o.nickname,
    ...(o.bootnodes ? ['--bootnodes', o.bootnodes] : []),
    ...(o.maxpeers ? ['--maxpeers', String(o.maxpeers)] : []),
    ...(o.extra ?? []),
  ]
}

/** Flags of the aggregator node: no discovery (it is not part of the mesh), room for every sender. */
export function aggregatorFlags(datadir: string, maxpeers: number): string[] {
  return [
    '--datadir',
    datadir,
    '--port',
    '0',
    '--network',
    'devnet',
    '--nodiscover',
    '--maxpeers',
    String(maxpeers),
    '--aggregator',
    '--aggregator.http.port',
    '0',
  ]
}
