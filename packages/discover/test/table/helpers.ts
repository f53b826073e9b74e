import { randomBytes } from 'node:crypto'
import { Node } from '../../src/index.js'

let port = 40_000

/** A node with a random ID and the given endpoint (its ID is not a curve point: tables never check). */
export function randomNode(ip = '10.0.0.1', udp?: number): Node {
  const p = udp ?? port++
  return new Node({ id: new Uint8Array(randomBytes(64)), ip, udp: p, tcp: p })
}

/**
 * A node whose hash is at log distance `d` from `base` (test-only: the cached hash is replaced,
 * as go-ethereum's tests pick IDs at a distance).
 */
export function nodeAtDistance(base: Uint8Array, d: number, ip = '10.0.0.1'): Node {
  const n = randomNode(ip)
  const h = new Uint8Array(randomBytes(32))
  if (d === 0) h.set(base)
  else {
    const bit = 256 - d
    const byte = bit >> 3
    const mask = 0x80 >> (bit & 7)
    for (let i = 0; i < byte; i++) h[i] = base[i]!
    // Same bits as base above `bit`, the opposite bit at it, random bits below.
    const above = (0xff00 >> (bit & 7)) & 0xff
    h[byte] = (base[byte]! & above) | (~base[byte]! & mask) | (h[byte]! & (mask - 1))
  }
  Object.defineProperty(n, 'hash', { value: h })
  return n
}

/** Deterministic random numbers in [0, 1) (mulberry32), as the simulator uses. */
export { seededRandom } from '../../src/testing/index.js'
