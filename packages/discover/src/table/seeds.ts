import type { NodeDB } from '../db/types.js'
import type { TableContext } from './context.js'
import { tableDefaults } from './options.js'
import type { Table } from './table.js'

/**
 * Puts up to 30 nodes seen in the last 5 days (from the DB) and the bootnodes into the table
 * (go-ethereum's loadSeedNodes). They are not pinged first: revalidation and the lookups that
 * follow weed out the dead. Returns how many entered the table's entries.
 */
export function loadSeeds(ctx: TableContext): number {
  const seeds = ctx.db.querySeeds(
    tableDefaults.seedCount,
    tableDefaults.seedMaxAgeMs,
    ctx.clock.now(),
  )
  let added = 0
  for (const n of [...seeds, ...ctx.bootnodes]) if (ctx.table.add(n) === 'added') added++
  ctx.logger.debug('loaded seeds', { seeds: seeds.length, bootnodes: ctx.bootnodes.length, added })
  return added
}

/**
 * Writes every entry that has been in the table for `minTableTimeMs` (5 minutes) or more and answered at least one
 * revalidation ping to the DB, so a restart finds it among the seeds (go-ethereum's
 * copyLiveNodes). Seeds that never proved alive are not re-copied, so dead ones expire. Returns
 * how many were written.
 */
export function copyLiveNodes(
  table: Table,
  db: NodeDB,
  now: number,
  minTableTimeMs: number = tableDefaults.seedMinTableTimeMs,
): number {
  let n = 0
  for (const b of table.buckets) {
    for (const e of b.entries) {
      if (e.livenessChecks === 0 || now - e.addedAt < minTableTimeMs) continue
      const enr = e.enr?.encode() ?? db.node(e.node.id)?.enr
      db.updateNode(enr ? { node: e.node, enr, lastSeen: now } : { node: e.node, lastSeen: now })
      n++
    }
  }
  return n
}
