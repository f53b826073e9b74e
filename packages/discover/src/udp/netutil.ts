import { ipToBytes } from '../ip.js'
import { isValidNodeId, Node, type NodeId } from '../node.js'

/**
 * Address classes for discv4's relay rules (go-ethereum's netutil): which Neighbors entries we
 * accept, and which nodes we may tell a requester about.
 */

type Net = [prefix: number[], bits: number]

const v4Lan: Net[] = [
  [[10], 8],
  [[172, 16], 12],
  [[192, 168], 16],
  [[169, 254], 16],
  [[100, 64], 10],
]
const v4Special: Net[] = [
  [[0], 8],
  [[192, 0, 0], 29],
  [[192, 0, 0, 9], 32],
  [[192, 0, 0, 170], 31],
  [[192, 0, 2], 24],
  [[192, 31, 196], 24],
  [[192, 52, 193], 24],
  [[192, 88, 99], 24],
  [[192, 175, 48], 24],
  [[198, 18], 15],
  [[198, 51, 100], 24],
  [[203, 0, 113], 24],
  [[224], 4],
  [[240], 4],
  [[255, 255, 255, 255], 32],
]
const v6Lan: Net[] = [
  [[0xfe, 0x80], 10],
  [[0xfc], 7],
]
const v6Special: Net[] = [
  [[0x01, 0, 0, 0, 0, 0, 0, 0], 64],
  [[0x20, 0x01, 0, 0], 32],
  [[0x20, 0x01, 0x0d, 0xb8], 32],
  [[0x20, 0x01, 0, 0x20], 28],
  [[0x20, 0x02], 16],
  [[0xff], 8],
]

function inNet(b: Uint8Array, [prefix, bits]: Net): boolean {
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff
    if (((b[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false
  }
  return true
}

const inAny = (b: Uint8Array, nets: Net[]) => nets.some((n) => inNet(b, n))
const isZero = (b: Uint8Array) => b.every((x) => x === 0)

const loopbackBytes = (b: Uint8Array) =>
  b.length === 4 ? b[0] === 127 : b.every((x, i) => (i === 15 ? x === 1 : x === 0))
const lanBytes = (b: Uint8Array) => loopbackBytes(b) || inAny(b, b.length === 4 ? v4Lan : v6Lan)
const specialBytes = (b: Uint8Array) =>
  isZero(b) || inAny(b, b.length === 4 ? v4Special : v6Special)

export function isLoopback(ip: string): boolean {
  return loopbackBytes(ipToBytes(ip))
}

/** Private, link-local, shared (CGNAT) and loopback addresses. */
export function isLan(ip: string): boolean {
  return lanBytes(ipToBytes(ip))
}

/** Special-purpose (IANA) addresses that never host a public node, and the unspecified address. */
export function isSpecialNetwork(ip: string): boolean {
  return specialBytes(ipToBytes(ip))
}

/**
 * go-ethereum's CheckRelayIP: may a node at `addr`, learned from or sent to `sender`, be relayed?
 * Loopback only between loopback peers, LAN only between LAN peers, never special networks.
 */
export function checkRelayIp(sender: string, addr: string): boolean {
  const b = ipToBytes(addr)
  if (specialBytes(b)) return false
  if (!lanBytes(b)) return true
  // Each address is parsed once, the sender only when `addr` is local.
  const s = ipToBytes(sender)
  if (loopbackBytes(b)) return loopbackBytes(s)
  return lanBytes(s)
}

/**
 * A Neighbors entry from `sender` as a Node, or undefined when it must be rejected: UDP port
 * ≤ 1024, special-purpose or unrelayable IP, or an ID that is not a secp256k1 point.
 */
export function neighborNode(
  sender: string,
  rec: { ip: string; udp: number; tcp: number; id: NodeId },
): Node | undefined {
  if (rec.udp <= 1024 || !checkRelayIp(sender, rec.ip) || !isValidNodeId(rec.id)) return undefined
  return new Node(rec)
}
