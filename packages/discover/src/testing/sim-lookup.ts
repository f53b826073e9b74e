import { type Clock, noopLogger } from '@x/core'
import type { Discovery } from '../discovery.js'
import { type Node, type NodeId, nodeIdHash } from '../node.js'
import { NodesByDistance } from '../table/closest.js'
import { lookup } from '../table/lookup.js'
import { tableDefaults } from '../table/options.js'
import { NodeVerifier } from '../table/verifier.js'
import type { DiscoveryTransport } from '../transport.js'

/** What one lookup did, for measurements. */
export interface LookupTrace {
  /** The lookup's answer: the 16 closest nodes that answered, closest first. */
  result: Node[]
  /** FindNode queries sent, and how many of them failed (timeout or empty answer). */
  queries: number
  failed: number
  /**
   * Rounds: the longest chain of queries, where a query is in round k + 1 when the node asked
   * was learned from an answer of round k (nodes from the local table are asked in round 1).
   */
  rounds: number
  /** Virtual ms from start to answer. */
  durationMs: number
}

/**
 * Runs the table's own `lookup` for `target` from `d`, over a transport that records each
 * FindNode and which answer each candidate came from. `clock` is the node's clock. Needs virtual time to pass meanwhile
 * (`Simulation.runUntil`).
 */
export async function tracedLookup(
  d: Discovery,
  target: NodeId,
  clock: Clock,
  options: { signal?: AbortSignal } = {},
): Promise<LookupTrace> {
  const udp = d.udp
  const depth = new Map<string, number>()
  let queries = 0
  let failed = 0
  let rounds = 0
  const transport: DiscoveryTransport = {
    self: udp.self,
    ping: (n, o) => udp.ping(n, o),
    requestENR: (n, o) => udp.requestENR(n, o),
    async findnode(n, t, o) {
      const round = (depth.get(n.idHex) ?? 0) + 1
      rounds = Math.max(rounds, round)
      queries++
      try {
        const found = await udp.findnode(n, t, o)
        if (found.length === 0) failed++
        for (const f of found) if (!depth.has(f.idHex)) depth.set(f.idHex, round)
        return found
      } catch (e) {
        failed++
        throw e
      }
    },
  }
  const ctx = {
    table: d.table,
    transport,
    db: d.db,
    clock,
    logger: noopLogger,
    verifier: new NodeVerifier(d.table, transport, noopLogger, undefined, { db: d.db, clock }),
    bootnodes: [],
  }
  const start = ctx.clock.now()
  const result = await lookup(ctx, target, options)
  return { result, queries, failed, rounds, durationMs: ctx.clock.now() - start }
}

/** The `n` nodes of `nodes` closest to keccak256(`target`), closest first (the ground truth). */
export function trueClosest(nodes: Iterable<Node>, target: NodeId, n = tableDefaults.bucketSize) {
  const set = new NodesByDistance(nodeIdHash(target), n)
  for (const node of nodes) set.push(node)
  return set.entries
}

/** How many of `expected` are in `found` (by node ID). */
export function overlap(found: readonly Node[], expected: readonly Node[]): number {
  const ids = new Set(found.map((f) => f.idHex))
  return expected.filter((e) => ids.has(e.idHex)).length
}
