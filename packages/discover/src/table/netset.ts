import { ipToBytes } from '@x/core'

/**
 * Counts IP addresses per subnet and refuses more than `limit` from one subnet (go-ethereum's
 * netutil.DistinctNetSet). IPv4 and IPv6 are keyed separately; the prefix is the first `subnetBits`
 * bits of the 4- or 16-byte address. Bounded: it holds at most one counter per address added.
 */
export class DistinctNetSet {
  readonly subnetBits: number
  readonly limit: number
  readonly #members = new Map<string, number>()

  constructor(subnetBits: number, limit: number) {
    this.subnetBits = subnetBits
    this.limit = limit
  }

  #key(ip: string): string {
    const b = ipToBytes(ip)
    const bits = Math.min(this.subnetBits, b.length * 8)
    const full = bits >> 3
    let key = `${b.length}:`
    for (let i = 0; i < full; i++) key += `${b[i]}.`
    const rem = bits & 7
    if (rem) key += `${b[full]! & ((0xff << (8 - rem)) & 0xff)}`
    return key
  }

  /** Adds `ip` unless its subnet is at the limit; returns whether it was added. */
  add(ip: string): boolean {
    const key = this.#key(ip)
    const n = this.#members.get(key) ?? 0
    if (n >= this.limit) return false
    this.#members.set(key, n + 1)
    return true
  }

  /** Removes one count of `ip`'s subnet. */
  remove(ip: string): void {
    const key = this.#key(ip)
    const n = this.#members.get(key)
    if (n === undefined) return
    if (n <= 1) this.#members.delete(key)
    else this.#members.set(key, n - 1)
  }

  /** True if the subnet of `ip` has at least one member. */
  contains(ip: string): boolean {
    return this.#members.has(this.#key(ip))
  }

  /** Members in the subnet of `ip`. */
  count(ip: string): number {
    return this.#members.get(this.#key(ip)) ?? 0
  }

  /** Total members. */
  get size(): number {
    let n = 0
    for (const c of this.#members.values()) n += c
    return n
  }
}
