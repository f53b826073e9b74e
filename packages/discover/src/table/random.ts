import type { Node } from '../node.js'
import type { Bucket } from './bucket.js'

/**
 * Up to `n` distinct nodes from the table, spread over the buckets (go-ethereum's
 * ReadRandomNodes): the non-empty buckets are shuffled, then their heads are taken round-robin,
 * so the result mixes distances and prefers recently seen nodes of each bucket.
 */
export function readRandomNodes(
  buckets: readonly Bucket[],
  n: number,
  random: () => number,
): Node[] {
  const lists = buckets.filter((b) => b.entries.length > 0).map((b) => b.entries)
  for (let i = lists.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[lists[i], lists[j]] = [lists[j]!, lists[i]!]
  }
  const next = lists.map(() => 0)
  const out: Node[] = []
  let live = lists.length
  for (let j = 0; out.length < n && live > 0; j = (j + 1) % lists.length) {
    const list = lists[j]!
    const k = next[j]!
    if (k >= list.length) continue
    out.push(list[k]!.node)
    next[j] = k + 1
    if (k + 1 === list.length) live--
  }
  return out
}
