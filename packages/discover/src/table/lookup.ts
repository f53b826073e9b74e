import { setMaxListeners } from 'node:events'
import { toHex } from '@x/core'
import { DiscoverError } from '../errors.js'
import { type Node, type NodeId, nodeIdHash } from '../node.js'
import { NodesByDistance } from './closest.js'
import type { TableContext } from './context.js'
import { tableDefaults } from './options.js'

export interface LookupOptions {
  signal?: AbortSignal
}

export const lookupDefaults = {
  /**
   * FindNode queries per lookup at most. A lookup ends by itself once the 16 closest seen have
   * all been asked; this bounds it (and the seen set, ≤ 16 per query) on a hostile network.
   */
  maxQueries: 128,
} as const

/**
 * Iterative Kademlia lookup of `target` (a node ID; distances are to its keccak256), as in
 * go-ethereum: the result set holds the 16 closest nodes seen, alpha = 3 FindNode queries run at
 * once to the closest nodes not yet asked, and the lookup ends when every node of the result
 * set has been asked. It starts from the table's closest, or from DB seeds and bootnodes when the
 * table is empty.
 *
 * A node that fails to answer (timeout or empty answer) has its FindNode failure count in the DB
 * raised and is dropped from the table after 5; one that answers has it lowered and is offered to
 * the table (it just proved its endpoint). Nodes seen in answers are pinged before they may enter
 * the table (`NodeVerifier`). Rejects only when `signal` aborts.
 */
export async function lookup(
  ctx: TableContext,
  target: NodeId,
  options: LookupOptions = {},
): Promise<Node[]> {
  const { table, db, clock } = ctx
  options.signal?.throwIfAborted()
  // The queries listen on a signal of their own: one listener on the caller's signal per lookup.
  // Each query registers a few abort listeners (bond ping, ping-back wait, reply), alpha at once.
  const ac = new AbortController()
  setMaxListeners(tableDefaults.alpha * 8, ac.signal)
  const signal = ac.signal
  const result = new NodesByDistance(nodeIdHash(target), tableDefaults.bucketSize)
  const seen = new Set<string>([table.self.idHex])
  const asked = new Set<string>([table.self.idHex])
  const offer = (n: Node) => {
    if (seen.has(n.idHex)) return
    seen.add(n.idHex)
    result.push(n)
  }
  for (const n of table.closestToHash(result.target, tableDefaults.bucketSize)) offer(n)
  if (result.entries.length === 0) {
    const seeds = db.querySeeds(tableDefaults.seedCount, tableDefaults.seedMaxAgeMs, clock.now())
    for (const n of [...seeds, ...ctx.bootnodes]) offer(n)
  }

  let closed = false
  const query = async (n: Node): Promise<void> => {
    const fails = db.findFails(n.id, n.ip)
    let nodes: Node[] | undefined
    try {
      nodes = await ctx.transport.findnode(n, target, { signal })
    } catch (e) {
      if (signal.aborted) return
      if (e instanceof DiscoverError && e.code === 'ERR_CLOSED') {
        closed = true
        return
      }
      ctx.logger.debug('findnode failed', { node: `${n}`, err: (e as Error).message })
    }
    if (!nodes || (nodes.length === 0 && !ctx.transport.emptyFindnodeIsAnswer)) {
      // Only nodes that answered stay in the result; the next closest gets asked instead.
      result.remove(n.idHex)
      db.updateFindFails(n.id, n.ip, fails + 1)
      if (fails + 1 >= tableDefaults.maxFindnodeFailures) {
        ctx.logger.debug('dropping node after findnode failures', {
          node: `${n}`,
          fails: fails + 1,
        })
        table.delete(n.idHex)
      }
      return
    }
    if (fails > 0) db.updateFindFails(n.id, n.ip, fails - 1)
    table.add(n)
    for (const r of nodes) {
      if (r.idHex === table.self.idHex) continue
      offer(r)
      if (!table.has(r.idHex)) void ctx.verifier.verify(r)
    }
  }

  return new Promise<Node[]>((resolve, reject) => {
    let inflight = 0
    let queries = 0
    let done = false
    const finish = (error?: unknown) => {
      if (done) return
      done = true
      options.signal?.removeEventListener('abort', onAbort)
      if (error !== undefined) reject(error)
      else resolve(result.entries.slice())
    }
    const onAbort = () => {
      ac.abort(options.signal?.reason)
      finish(options.signal?.reason)
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const step = () => {
      if (done) return
      if (!closed) {
        for (const n of result.entries) {
          if (inflight >= tableDefaults.alpha || queries >= lookupDefaults.maxQueries) break
          if (asked.has(n.idHex)) continue
          asked.add(n.idHex)
          inflight++
          queries++
          void query(n).finally(() => {
            inflight--
            step()
          })
        }
      }
      if (inflight === 0) finish()
    }
    step()
  })
}

/** A random lookup target: 64 bytes from `random` (seeded in simulations). */
export function randomTarget(random: () => number): NodeId {
  const t = new Uint8Array(64)
  for (let i = 0; i < 64; i++) t[i] = Math.floor(random() * 256)
  return t
}

/**
 * The node with this ID: from the table when it is there, else from a lookup of the ID
 * (go-ethereum's Resolve). Undefined when the network does not know it.
 */
export async function resolve(
  ctx: TableContext,
  id: NodeId,
  options: LookupOptions = {},
): Promise<Node | undefined> {
  const local = ctx.table.get(id)
  if (local) return local
  const idHex = toHex(id)
  const found = await lookup(ctx, id, options)
  return found.find((n) => n.idHex === idHex)
}
