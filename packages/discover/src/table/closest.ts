import { distcmp, logdist } from '../distance.js'
import type { Node } from '../node.js'
import type { Bucket } from './bucket.js'
import { tableDefaults } from './options.js'

/** The first 4 bytes of a ⊕ b as an unsigned number: a cheap first comparison of distances. */
const head = (a: Uint8Array, b: Uint8Array) =>
  (((a[0]! ^ b[0]!) << 24) | ((a[1]! ^ b[1]!) << 16) | ((a[2]! ^ b[2]!) << 8) | (a[3]! ^ b[3]!)) >>>
  0

/**
 * Up to `max` nodes ordered by XOR distance of their hash to `target` (a 32-byte hash), closest
 * first (go-ethereum's nodesByDistance). `push` keeps the list sorted and cut at `max`; a node
 * farther than the last of a full list costs one 32-bit comparison.
 */
export class NodesByDistance {
  readonly target: Uint8Array
  readonly max: number
  readonly entries: Node[] = []
  #heads: number[] = []

  constructor(target: Uint8Array, max: number) {
    this.target = target
    this.max = max
  }

  get full(): boolean {
    return this.entries.length >= this.max
  }

  /** Inserts `node` at its place; returns false when it is not among the `max` closest. */
  push(node: Node): boolean {
    if (this.max <= 0) return false
    const t = this.target
    const h = node.hash
    const hd = head(h, t)
    const n = this.entries.length
    if (n >= this.max) {
      const lastHead = this.#heads[n - 1]!
      if (hd > lastHead) return false
      if (hd === lastHead && distcmp(t, h, this.entries[n - 1]!.hash) >= 0) return false
    }
    // Binary search for the first entry farther than `node`.
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      const mh = this.#heads[mid]!
      const farther = mh > hd || (mh === hd && distcmp(t, this.entries[mid]!.hash, h) > 0)
      if (farther) hi = mid
      else lo = mid + 1
    }
    this.entries.splice(lo, 0, node)
    this.#heads.splice(lo, 0, hd)
    if (this.entries.length > this.max) {
      this.entries.pop()
      this.#heads.pop()
    }
    return true
  }

  /** Removes the node with this ID hex; false if absent. */
  remove(idHex: string): boolean {
    const i = this.entries.findIndex((n) => n.idHex === idHex)
    if (i < 0) return false
    this.entries.splice(i, 1)
    this.#heads.splice(i, 1)
    return true
  }

  /** True if a node with this ID hex is in the list. */
  has(idHex: string): boolean {
    return this.entries.some((n) => n.idHex === idHex)
  }
}

/** The bucket that holds nodes at log distance `d` from us: max(0, d − 240). */
export function bucketIndexOf(d: number): number {
  return d <= tableDefaults.bucketMinDistance ? 0 : d - tableDefaults.bucketMinDistance - 1
}

/**
 * The `n` nodes in `buckets` closest to `target` (a 32-byte hash); `selfHash` is the hash the
 * buckets are measured from. Same result as go-ethereum's linear scan over every entry, but it
 * visits the buckets in distance order and stops early: for a node in bucket j above the
 * target's bucket bt, logdist(node, target) = 240 + j, so once `n` nodes are known from bt and
 * the buckets below it, no higher bucket can hold a closer node; and every node of bucket bt
 * (bt ≥ 1) is closer than any node below it.
 */
export function closestInBuckets(
  buckets: readonly Bucket[],
  selfHash: Uint8Array,
  target: Uint8Array,
  n: number,
): Node[] {
  const result = new NodesByDistance(target, n)
  const bt = bucketIndexOf(logdist(selfHash, target))
  for (let j = bt; j >= 0; j--) {
    for (const e of buckets[j]!.entries) result.push(e.node)
    // For bt ≥ 1, a node of bucket bt shares the target's top differing bit from us, a node
    // of a lower bucket does not: every node of bucket bt is closer. When they fill the
    // result, the lower buckets cannot change it (random targets: bucket 16, half the time).
    if (j === bt && bt >= 1 && result.full) return result.entries
  }
  for (let j = bt + 1; j < buckets.length && !result.full; j++) {
    for (const e of buckets[j]!.entries) result.push(e.node)
  }
  return result.entries
}

/** go-ethereum's linear scan, kept as the reference `closestInBuckets` is tested against. */
export function closestLinear(buckets: readonly Bucket[], target: Uint8Array, n: number): Node[] {
  const result = new NodesByDistance(target, n)
  for (const b of buckets) for (const e of b.entries) result.push(e.node)
  return result.entries
}
