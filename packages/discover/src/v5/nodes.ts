import { checkRelayIp, toHex } from '@x/core'
import { logdist } from '../distance.js'
import { Enr } from '../enr/enr.js'
import type { Node } from '../node.js'
import { bucketIndexOf } from '../table/closest.js'
import type { Table } from '../table/table.js'
import { udpv5Defaults } from './options.js'

/**
 * The distances a lookup asks a node for (go-ethereum's `lookupDistances`): the log distance
 * between the target and the node, then the ones next to it, `count` in all, all in 1‥256.
 */
export function lookupDistances(
  target: Uint8Array,
  dest: Uint8Array,
  count: number = udpv5Defaults.lookupDistances,
): number[] {
  const td = logdist(target, dest)
  const out = [td]
  for (let i = 1; out.length < count && i <= 256; i++) {
    if (td + i <= 256) out.push(td + i)
    if (td - i > 0 && out.length < count) out.push(td - i)
  }
  return out
}

/**
 * The records answering a FINDNODE (go-ethereum's `collectTableNodes`): our own for distance 0,
 * else the live table entries at each distance asked (duplicates and distances over 256
 * skipped) that may be relayed to `requesterIp`, `limit` at most. `recordOf` finds the record
 * of a table node; nodes without one are skipped.
 */
export function collectTableNodes(
  table: Table,
  self: Enr,
  distances: readonly number[],
  requesterIp: string,
  recordOf: (node: Node) => Enr | undefined,
  limit: number = udpv5Defaults.findnodeResultLimit,
): Enr[] {
  const out: Enr[] = []
  const done = new Set<number>()
  for (const d of distances) {
    if (done.has(d) || d > 256) continue
    done.add(d)
    if (d === 0) {
      out.push(self)
    } else {
      const b = table.buckets[bucketIndexOf(d)]
      for (const e of b?.entries ?? []) {
        if (logdist(table.self.hash, e.node.hash) !== d) continue
        if (!checkRelayIp(requesterIp, e.node.ip)) continue
        const r = e.enr ?? recordOf(e.node)
        if (r) out.push(r)
        if (out.length >= limit) return out
      }
    }
    if (out.length >= limit) return out.slice(0, limit)
  }
  return out
}

/**
 * Splits records over NODES messages of at most `sizeLimit` record bytes each (go-ethereum's
 * `packNodes`): always at least one message, even for no records.
 */
export function packNodes(
  records: readonly Enr[],
  sizeLimit: number = udpv5Defaults.nodesSizeLimit,
): Uint8Array[][] {
  const out: Uint8Array[][] = []
  let cur: Uint8Array[] = []
  let size = 0
  for (const r of records) {
    const raw = r.encode()
    if (cur.length > 0 && size + raw.length > sizeLimit) {
      out.push(cur)
      cur = []
      size = 0
    }
    cur.push(raw)
    size += raw.length
  }
  if (cur.length > 0 || out.length === 0) out.push(cur)
  return out
}

/** Why a NODES record was refused (a key of the drop counters). */
export type NodeRejection =
  | 'ERR_V5_BAD_RECORD'
  | 'ERR_V5_BAD_NODES'
  | 'duplicate'
  | 'distance'
  | 'relay'
  | 'netrestrict'
  | 'lowport'

/**
 * Checks one record of a NODES answer (go-ethereum's `verifyResponseNode`): it decodes and
 * verifies, has an endpoint that may be relayed from `fromIp` and passes `netrestrict`, a UDP
 * port above 1024, lies at one of the distances asked from `destHash` (when asked by distance),
 * and is not a repeat.
 */
export function verifyResponseRecord(
  raw: Uint8Array,
  o: {
    destHash: Uint8Array
    distances: readonly number[] | undefined
    fromIp: string
    seen: Set<string>
    netrestrict: (ip: string) => boolean
  },
): { enr: Enr; node: Node } | NodeRejection {
  let enr: Enr
  try {
    enr = Enr.decode(raw)
  } catch {
    return 'ERR_V5_BAD_RECORD'
  }
  const node = enr.toNode()
  if (!node) return 'ERR_V5_BAD_NODES'
  if (!checkRelayIp(o.fromIp, node.ip)) return 'relay'
  if (!o.netrestrict(node.ip)) return 'netrestrict'
  if (node.udp <= 1024) return 'lowport'
  if (o.distances && !o.distances.includes(logdist(o.destHash, node.hash))) return 'distance'
  const h = toHex(node.hash)
  if (o.seen.has(h)) return 'duplicate'
  o.seen.add(h)
  return { enr, node }
}
