import { DiscoverError } from '../errors.js'
import type { TableContext } from './context.js'

/**
 * One revalidation round (go-ethereum's `doRevalidate`): the last, least
 * recently seen entry of a random non-empty bucket is pinged. Alive → moved to the front, and its
 * record is fetched when the Pong announces a newer one (EIP-868), updating its endpoint. Dead →
 * replaced by a random replacement candidate of its bucket (or removed). Rejects only on abort.
 */
export async function revalidate(ctx: TableContext, signal?: AbortSignal): Promise<void> {
  const { table, transport } = ctx
  const buckets = table.buckets.filter((b) => b.entries.length > 0)
  if (buckets.length === 0) return
  const b = buckets[Math.floor(table.random() * buckets.length)]!
  const last = b.entries.at(-1)!
  const node = last.node
  let enrSeq: bigint | undefined
  try {
    enrSeq = (await transport.ping(node, { signal })).enrSeq
  } catch (e) {
    signal?.throwIfAborted()
    if (e instanceof DiscoverError && e.code === 'ERR_CLOSED') return
    // Still the same dead entry (it may have been bumped or replaced meanwhile)?
    if (table.entry(node.idHex) === last && b.entries.at(-1) === last) {
      const taken = table.replace(node.idHex)
      ctx.logger.debug('revalidation: node dead', {
        node: `${node}`,
        replacedBy: taken && `${taken}`,
      })
    }
    return
  }
  const entry = table.entry(node.idHex)
  if (!entry) return
  entry.livenessChecks++
  table.bump(node.idHex)
  if (enrSeq === undefined) return
  const known = entry.enr?.seq ?? entry.enrSeq
  entry.enrSeq = enrSeq
  if (!transport.requestENR || (entry.enr && known !== undefined && enrSeq <= known)) return
  try {
    const enr = await transport.requestENR(entry.node, { signal })
    const current = table.entry(node.idHex)
    if (!current) return
    current.enr = enr
    current.enrSeq = enr.seq
    const updated = enr.toNode()
    if (updated && !updated.equals(current.node)) {
      ctx.logger.debug('revalidation: node record changed', { node: `${updated}` })
      table.add(updated)
    }
  } catch (e) {
    signal?.throwIfAborted()
    ctx.logger.debug('revalidation: ENR request failed', {
      node: `${node}`,
      err: (e as Error).message,
    })
  }
}
