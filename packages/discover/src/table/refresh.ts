import type { TableContext } from './context.js'
import { lookup, randomTarget } from './lookup.js'
import { tableDefaults } from './options.js'
import { loadSeeds } from './seeds.js'

/**
 * One table refresh (go-ethereum's doRefresh): seeds from the DB and the bootnodes enter the
 * table, then a lookup of our own ID fills the near buckets and 3 lookups of random targets fill
 * the rest. Rejects only on abort.
 */
export async function refresh(ctx: TableContext, signal?: AbortSignal): Promise<void> {
  loadSeeds(ctx)
  await lookup(ctx, ctx.table.self.id, { signal })
  for (let i = 0; i < tableDefaults.refreshRandomLookups; i++) {
    await lookup(ctx, randomTarget(ctx.table.random), { signal })
  }
  ctx.logger.debug('table refreshed', { size: ctx.table.size })
}
