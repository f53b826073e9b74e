import { lookup } from 'node:dns/promises'
import { type Clock, ipToBytes, systemClock } from '@x/core'
import { withDeadline } from './dns/resolver.js'
import { parseEnode } from './enode.js'
import { EnodeError, HostError } from './errors.js'
import { Node, type NodeId } from './node.js'

/**
 * An enode URL whose host is a DNS name (`enode://<id>@boot.example.org:30303`), before its
 * name is resolved: go-ethereum's `enode.Node` with a `Hostname()` and no IP yet.
 */
export interface EnodeHost {
  readonly id: NodeId
  readonly idHex: string
  readonly host: string
  readonly tcp: number
  readonly udp: number
}

/** Address lookups of host names, injected: every address of `host` (IPv4 and IPv6). */
export type HostResolver = (host: string, options: { signal: AbortSignal }) => Promise<string[]>

export const hostDefaults = {
  /** One host name lookup at most this long (go-ethereum's 5 s in `resolveBootnodeHostname`). */
  timeoutMs: 5_000,
} as const

/** Lookups through the system resolver (node:dns `lookup`, as the OS resolves names). */
export const systemHostResolver: HostResolver = async (host, { signal }) => {
  signal.throwIfAborted()
  const all = await lookup(host, { all: true, verbatim: true })
  return all.map((a) => a.address)
}

const hostname =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/

/**
 * Parses an enode URL whose host may be a DNS name: a Node when it is an IP address, an
 * {@link EnodeHost} to resolve when it is a name. Throws EnodeError as `parseEnode` does.
 */
export function parseEnodeTarget(url: string): Node | EnodeHost {
  try {
    return parseEnode(url)
  } catch (e) {
    if (!(e instanceof EnodeError) || e.code !== 'ERR_ENODE_BAD_HOST') throw e
    const at = url.indexOf('@')
    const rest = url.slice(at + 1)
    const colon = rest.lastIndexOf(':')
    const host = colon > 0 ? rest.slice(0, colon) : ''
    if (!hostname.test(host) || /^[0-9.]+$/.test(host)) throw e
    // The same URL with a placeholder IP parses the ID and ports with every check.
    const n = parseEnode(`${url.slice(0, at + 1)}0.0.0.0${rest.slice(colon)}`)
    return { id: n.id, idHex: n.idHex, host: host.replace(/\.$/, ''), tcp: n.tcp, udp: n.udp }
  }
}

/** True for a target still to resolve. */
export function isEnodeHost(t: Node | EnodeHost): t is EnodeHost {
  return !(t instanceof Node)
}

export interface ResolveHostOptions {
  resolver?: HostResolver
  clock?: Clock
  timeoutMs?: number
  signal?: AbortSignal
}

/**
 * The node a host-name enode URL names now (go-ethereum's `resolveBootnodeHostname` and the
 * dialer's `dnsResolveHostname`): the first IPv4 address of the name, else the first IPv6,
 * bounded by a timeout. Throws HostError `ERR_HOST_UNRESOLVED` (lookup failed, no address, or
 * timed out); rejects with the abort reason when `signal` aborts.
 */
export async function resolveEnodeHost(
  target: EnodeHost,
  options: ResolveHostOptions = {},
): Promise<Node> {
  const signal = options.signal ?? new AbortController().signal
  const resolver = options.resolver ?? systemHostResolver
  let addrs: string[]
  try {
    addrs = await withDeadline(
      options.clock ?? systemClock,
      options.timeoutMs ?? hostDefaults.timeoutMs,
      signal,
      `lookup of ${target.host}`,
      (s) => resolver(target.host, { signal: s }),
    )
  } catch (cause) {
    if (signal.aborted) throw cause
    throw new HostError(`cannot resolve ${target.host}: ${(cause as Error).message}`, target.host, {
      cause,
    })
  }
  const family = (a: string) => {
    try {
      return ipToBytes(a).length
    } catch {
      return 0 // not an address: ignored
    }
  }
  const ip = addrs.find((a) => family(a) === 4) ?? addrs.find((a) => family(a) === 16)
  if (ip === undefined) throw new HostError(`no address for ${target.host}`, target.host)
  return new Node({ id: target.id, ip, udp: target.udp, tcp: target.tcp })
}
