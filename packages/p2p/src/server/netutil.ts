import { ipToBytes } from '@x/core'
import { InvalidCidrError } from '../errors.js'

interface Net {
  bytes: Uint8Array
  bits: number
}

function parseCidr(cidr: string): Net {
  const slash = cidr.indexOf('/')
  if (slash < 0) throw new InvalidCidrError(cidr)
  let bytes: Uint8Array
  try {
    bytes = ipToBytes(cidr.slice(0, slash))
  } catch {
    throw new InvalidCidrError(cidr)
  }
  const text = cidr.slice(slash + 1)
  const bits = Number(text)
  // An IPv4-mapped IPv6 net (::ffff:a.b.c.d/n) reads as IPv4 with n - 96 bits.
  const mapped = bytes.length === 4 && cidr.includes(':')
  const max = mapped ? 128 : bytes.length * 8
  if (!/^\d{1,3}$/.test(text) || bits > max || (mapped && bits < 96)) {
    throw new InvalidCidrError(cidr)
  }
  return { bytes, bits: mapped ? bits - 96 : bits }
}

function contains(net: Net, ip: Uint8Array): boolean {
  if (ip.length !== net.bytes.length) return false
  let bits = net.bits
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff
    if (((ip[i] as number) & mask) !== ((net.bytes[i] as number) & mask)) return false
  }
  return true
}

/**
 * A CIDR allow-list (go-ethereum's `netutil.Netlist`, the `--netrestrict` flag): peers and dial
 * candidates outside every listed net are refused.
 */
export class NetRestrict {
  readonly #nets: Net[]
  readonly cidrs: readonly string[]

  /** Throws {@link InvalidCidrError} on a malformed entry. */
  constructor(cidrs: readonly string[]) {
    this.cidrs = [...cidrs]
    this.#nets = cidrs.map(parseCidr)
  }

  contains(ip: string): boolean {
    let bytes: Uint8Array
    try {
      bytes = ipToBytes(ip)
    } catch {
      return false
    }
    return this.#nets.some((n) => contains(n, bytes))
  }
}

const lanNets = new NetRestrict([
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '::1/128',
  'fe80::/10',
  'fc00::/7',
])

/** Loopback, private and link-local addresses (go-ethereum's `netutil.IsLAN`). */
export function isLanIp(ip: string): boolean {
  return lanNets.contains(ip)
}
