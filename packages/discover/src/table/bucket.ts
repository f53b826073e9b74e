import type { Enr } from '../enr/enr.js'
import type { Node } from '../node.js'
import { DistinctNetSet } from './netset.js'
import { tableDefaults } from './options.js'

/** A node in the table, with the liveness data the table keeps about it. */
export interface TableNode {
  node: Node
  /** When the node entered the bucket's entries (clock ms). */
  addedAt: number
  /** Successful revalidation pings since it was added. */
  livenessChecks: number
  /** Sequence number of its record, as last seen in a Pong (EIP-868). */
  enrSeq?: bigint
  /** Its latest record, when we fetched one. */
  enr?: Enr
}

/**
 * One k-bucket: up to 16 live entries, most recently seen first, plus up to 10 replacement
 * candidates, most recent first. The table keeps both lists within their limits and accounts
 * their IPs in `ips`.
 */
export class Bucket {
  readonly index: number
  readonly entries: TableNode[] = []
  readonly replacements: TableNode[] = []
  readonly ips: DistinctNetSet

  constructor(index: number, ipLimit: number, subnetBits: number) {
    this.index = index
    this.ips = new DistinctNetSet(subnetBits, ipLimit)
  }

  get full(): boolean {
    return this.entries.length >= tableDefaults.bucketSize
  }

  /** Position of the node with this ID (hex) in `list`, or −1. */
  static indexOf(list: readonly TableNode[], idHex: string): number {
    for (let i = 0; i < list.length; i++) if (list[i]!.node.idHex === idHex) return i
    return -1
  }

  /** Moves the entry with this ID to the front; returns it, or undefined if absent. */
  bump(idHex: string): TableNode | undefined {
    const i = Bucket.indexOf(this.entries, idHex)
    if (i < 0) return undefined
    const [e] = this.entries.splice(i, 1)
    this.entries.unshift(e!)
    return e
  }
}
