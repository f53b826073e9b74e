import { isIP } from 'node:net'
import { CoreError } from './errors.js'
import { ipToBytes } from './ip.js'

/**
 * IP networks as go-ethereum's `p2p/netutil` has them: `Netlist` (the `--netrestrict` flag), the
 * LAN and special-purpose address classes, and `CheckRelayIP`. CIDRs are parsed with Node's own
 * address parser; membership is a prefix compare on the 4- or 16-byte form. (`node:net`'s
 * BlockList answers the same question at about 3 µs a check, against tens of nanoseconds here,
 * and discovery asks it for every entry of every Neighbors packet.)
 */

/** One network: its address bytes (4 or 16) and prefix length in bits. */
interface Prefix {
  readonly bytes: Uint8Array
  readonly bits: number
}

/** Parses `a.b.c.d/n` or `x:y::/n`; an IPv4-mapped IPv6 net (::ffff:a.b.c.d/n) reads as IPv4. */
function parsePrefix(cidr: string): Prefix {
  const bad = () => new CoreError('ERR_INVALID_CIDR', `not a CIDR: ${JSON.stringify(cidr)}`)
  const slash = cidr.indexOf('/')
  const addr = cidr.slice(0, slash)
  const len = cidr.slice(slash + 1)
  if (slash < 0 || isIP(addr) === 0 || !/^\d{1,3}$/.test(len)) throw bad()
  const bytes = ipToBytes(addr)
  const mapped = bytes.length === 4 && isIP(addr) === 6
  const bits = Number(len) - (mapped ? 96 : 0)
  if (bits < 0 || bits > bytes.length * 8) throw bad()
  return { bytes, bits }
}

function inPrefix(ip: Uint8Array, net: Prefix): boolean {
  if (ip.length !== net.bytes.length) return false
  let bits = net.bits
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff
    if (((ip[i] as number) & mask) !== ((net.bytes[i] as number) & mask)) return false
  }
  return true
}

/** A list of IP networks (go-ethereum's `netutil.Netlist`). */
export class Netlist {
  readonly #nets: Prefix[]
  /** The CIDRs as given. */
  readonly cidrs: readonly string[]

  /** Throws `ERR_INVALID_CIDR` naming the first malformed entry. */
  constructor(cidrs: readonly string[]) {
    this.cidrs = [...cidrs]
    this.#nets = cidrs.map(parsePrefix)
  }

  /**
   * Parses a comma-separated list (`ParseNetlist`): white space and empty entries are ignored.
   */
  static parse(text: string): Netlist {
    return new Netlist(
      text
        .replace(/\s+/g, '')
        .split(',')
        .filter((c) => c !== ''),
    )
  }

  /** Whether `ip` (a string, or its 4- or 16-byte form) is in one of the networks. */
  contains(ip: string | Uint8Array): boolean {
    let bytes: Uint8Array
    if (typeof ip === 'string') {
      try {
        bytes = ipToBytes(ip)
      } catch {
        return false
      }
    } else bytes = ip
    for (const n of this.#nets) if (inPrefix(bytes, n)) return true
    return false
  }
}

// netip.Addr.IsPrivate and IsLinkLocalUnicast, which go-ethereum's AddrIsLAN uses.
const lan = new Netlist([
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  'fc00::/7',
  '169.254.0.0/16',
  'fe80::/10',
])

// go-ethereum's special4 and special6 (RFC 5735, RFC 5156, the IANA special-purpose registries)
// and multicast (netip.Addr.IsMulticast).
const special = new Netlist([
  '0.0.0.0/8',
  '192.0.0.0/29',
  '192.0.0.9/32',
  '192.0.0.170/32',
  '192.0.0.171/32',
  '192.0.2.0/24',
  '192.31.196.0/24',
  '192.52.193.0/24',
  '192.88.99.0/24',
  '192.175.48.0/24',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '255.255.255.255/32',
  '224.0.0.0/4',
  '100::/64',
  '2001::/32',
  '2001:1::1/128',
  '2001:2::/48',
  '2001:3::/32',
  '2001:4:112::/48',
  '2001:5::/32',
  '2001:10::/28',
  '2001:20::/28',
  '2001:db8::/32',
  '2002::/16',
  'ff00::/8',
  // The unspecified address hosts no node; go-ethereum's CheckRelayIP refuses it on its own.
  '::/128',
])

function loopbackBytes(b: Uint8Array): boolean {
  if (b.length === 4) return b[0] === 127
  for (let i = 0; i < 15; i++) if (b[i] !== 0) return false
  return b[15] === 1
}

const lanBytes = (b: Uint8Array) => loopbackBytes(b) || lan.contains(b)

/** 127.0.0.0/8 and ::1. Throws `ERR_INVALID_IP` for what is no address. */
export function isLoopback(ip: string): boolean {
  return loopbackBytes(ipToBytes(ip))
}

/** Loopback, private and link-local addresses (go-ethereum's `netutil.IsLAN`). */
export function isLan(ip: string): boolean {
  return lanBytes(ipToBytes(ip))
}

/**
 * Special-purpose, multicast and unspecified addresses (go-ethereum's `netutil.IsSpecialNetwork`,
 * and the unspecified address that its `CheckRelayIP` refuses first).
 */
export function isSpecialNetwork(ip: string): boolean {
  return special.contains(ipToBytes(ip))
}

/**
 * go-ethereum's `CheckRelayIP`: may a node at `addr`, learned from or sent to `sender`, be
 * relayed? Never the unspecified address or a special network; loopback only between loopback
 * hosts, LAN only between LAN hosts; anything else always.
 */
export function checkRelayIp(sender: string, addr: string): boolean {
  const b = ipToBytes(addr)
  if (special.contains(b)) return false
  if (!lanBytes(b)) return true
  // The sender is parsed only when `addr` is local.
  const s = ipToBytes(sender)
  if (loopbackBytes(b)) return loopbackBytes(s)
  return lanBytes(s)
}
