import { fromHex, ipToBytes, normalizeIp } from '@x/core'
import { type DiscoverErrorCode, EnodeError } from './errors.js'
import { isValidNodeId, Node } from './node.js'

const SCHEME = 'enode://'

function parsePort(text: string, code: DiscoverErrorCode, what: string, url: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) {
    throw new EnodeError(code, `invalid ${what} ${JSON.stringify(text)}`, url)
  }
  return Number(text)
}

/**
 * Parses `enode://<128 hex>@<ip>:<tcp-port>[?discport=<udp-port>]` (IPv6 in brackets).
 * The UDP port is the TCP port unless `discport` says otherwise. Host names are not resolved
 * here: the host must be an IP address. Every malformed case throws an EnodeError with a code.
 */
export function parseEnode(url: string): Node {
  if (url.slice(0, SCHEME.length).toLowerCase() !== SCHEME) {
    throw new EnodeError('ERR_ENODE_SCHEME', 'enode URL must start with enode://', url)
  }
  const rest = url.slice(SCHEME.length)
  const at = rest.indexOf('@')
  if (at < 0) throw new EnodeError('ERR_ENODE_MISSING_AT', 'enode URL has no @host:port', url)
  const idHex = rest.slice(0, at)
  if (!/^[0-9a-fA-F]*$/.test(idHex)) {
    throw new EnodeError('ERR_ENODE_BAD_HEX', 'node ID is not hex', url)
  }
  if (idHex.length !== 128) {
    throw new EnodeError(
      'ERR_ENODE_BAD_ID_LENGTH',
      `node ID must be 128 hex characters, got ${idHex.length}`,
      url,
    )
  }
  const id = fromHex(idHex.toLowerCase())
  if (!isValidNodeId(id))
    throw new EnodeError('ERR_ENODE_BAD_KEY', 'node ID is not a secp256k1 public key', url)

  let hostPort = rest.slice(at + 1)
  let query = ''
  const q = hostPort.indexOf('?')
  if (q >= 0) {
    query = hostPort.slice(q + 1)
    hostPort = hostPort.slice(0, q)
  }
  let host: string
  let portText: string
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']')
    if (close < 0) throw new EnodeError('ERR_ENODE_BAD_HOST', 'unterminated [IPv6] host', url)
    host = hostPort.slice(1, close)
    const after = hostPort.slice(close + 1)
    if (!after.startsWith(':')) throw new EnodeError('ERR_ENODE_BAD_PORT', 'missing port', url)
    portText = after.slice(1)
  } else {
    const colon = hostPort.lastIndexOf(':')
    if (colon < 0) throw new EnodeError('ERR_ENODE_BAD_PORT', 'missing port', url)
    host = hostPort.slice(0, colon)
    portText = hostPort.slice(colon + 1)
    if (host.includes(':'))
      throw new EnodeError('ERR_ENODE_BAD_HOST', 'IPv6 host must be in brackets', url)
  }
  let ip: string
  try {
    ip = normalizeIp(host)
  } catch {
    throw new EnodeError(
      'ERR_ENODE_BAD_HOST',
      `host ${JSON.stringify(host)} is not an IP address`,
      url,
    )
  }
  const tcp = parsePort(portText, 'ERR_ENODE_BAD_PORT', 'port', url)
  let udp = tcp
  if (query !== '') {
    const params = new URLSearchParams(query)
    for (const key of params.keys()) {
      if (key !== 'discport')
        throw new EnodeError('ERR_ENODE_BAD_QUERY', `unknown query parameter ${key}`, url)
    }
    const disc = params.get('discport')
    if (disc !== null) udp = parsePort(disc, 'ERR_ENODE_BAD_DISCPORT', 'discport', url)
  }
  return new Node({ id, ip, udp, tcp })
}

/** Formats a node as an enode URL; `?discport=` only when the UDP port differs from the TCP port. */
export function formatEnode(node: Node): string {
  const host = ipToBytes(node.ip).length === 16 ? `[${node.ip}]` : node.ip
  const disc = node.udp === node.tcp ? '' : `?discport=${node.udp}`
  return `${SCHEME}${node.idHex}@${host}:${node.tcp}${disc}`
}
