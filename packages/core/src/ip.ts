import { isIPv4, isIPv6 } from 'node:net'
import { CoreError } from './errors.js'

/**
 * IP addresses as devp2p carries them: 4 or 16 raw bytes on the wire, canonical strings in the
 * API. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address, as go's To4() says.
 */

function parseV4(ip: string, out: Uint8Array, offset: number): void {
  const parts = ip.split('.')
  for (let i = 0; i < 4; i++) out[offset + i] = Number(parts[i])
}

function parseV6(ip: string): Uint8Array {
  const out = new Uint8Array(16)
  let text = ip
  const zone = text.indexOf('%')
  if (zone >= 0) text = text.slice(0, zone)
  let tail: Uint8Array | undefined
  const lastColon = text.lastIndexOf(':')
  if (text.indexOf('.', lastColon) > 0) {
    tail = new Uint8Array(4)
    parseV4(text.slice(lastColon + 1), tail, 0)
    text = `${text.slice(0, lastColon + 1)}0:0`
  }
  const [head = '', rest] = text.split('::')
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)))
  const left = groups(head)
  const right = rest === undefined ? [] : groups(rest)
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right]
  all.forEach((g, i) => {
    out[2 * i] = g >> 8
    out[2 * i + 1] = g & 0xff
  })
  if (tail) out.set(tail, 12)
  return out
}

/** True for ::ffff:a.b.c.d in 16-byte form. */
function isV4Mapped(b: Uint8Array): boolean {
  if (b.length !== 16) return false
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false
  return b[10] === 0xff && b[11] === 0xff
}

/**
 * Parses dotted-quad IPv4 as `isIPv4` accepts it (four decimal parts 0‥255, no leading zeros)
 * into `out`; false (out untouched or partly written) for anything else. The hot path of every
 * address check, without a regular expression or a split.
 */
function parseV4Strict(ip: string, out: Uint8Array): boolean {
  const n = ip.length
  if (n < 7 || n > 15) return false
  let part = 0
  let value = 0
  let digits = 0
  for (let i = 0; i <= n; i++) {
    const c = i < n ? ip.charCodeAt(i) : 46 /* '.' ends the last part */
    if (c === 46) {
      if (digits === 0 || part > 3) return false
      out[part++] = value
      value = 0
      digits = 0
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false // leading zero
      value = value * 10 + (c - 48)
      if (value > 255) return false
      digits++
    } else return false
  }
  return part === 4
}

/** 4 bytes for IPv4 (also for IPv4-mapped IPv6), 16 bytes for IPv6. */
export function ipToBytes(ip: string): Uint8Array {
  const v4 = new Uint8Array(4)
  if (parseV4Strict(ip, v4)) return v4
  if (isIPv4(ip)) {
    const out = new Uint8Array(4)
    parseV4(ip, out, 0)
    return out
  }
  if (isIPv6(ip)) {
    const b = parseV6(ip)
    return isV4Mapped(b) ? b.slice(12) : b
  }
  throw new CoreError('ERR_INVALID_IP', `not an IP address: ${JSON.stringify(ip)}`)
}

/** The canonical string of a 4- or 16-byte address (RFC 5952 for IPv6). */
export function bytesToIp(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`
  if (b.length !== 16) {
    throw new CoreError('ERR_INVALID_IP', `IP must be 4 or 16 bytes, got ${b.length}`)
  }
  if (isV4Mapped(b)) return bytesToIp(b.subarray(12))
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!)
  // Longest run of two or more zero groups becomes '::' (first one on ties).
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`
}

/** Canonical form of an IP string (lower-case, compressed IPv6, IPv4-mapped → IPv4). */
export function normalizeIp(ip: string): string {
  // Dotted-quad IPv4 without leading zeros is already canonical.
  if (parseV4Strict(ip, scratch)) return ip
  return bytesToIp(ipToBytes(ip))
}

const scratch = new Uint8Array(4)

/** True if `ip` is IPv6 after normalisation. */
export function isIpv6(ip: string): boolean {
  return ipToBytes(ip).length === 16
}

/** True if `port` is an integer in 0‥65535. */
export function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= 65535
}
