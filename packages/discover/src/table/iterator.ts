import { sleep } from '@x/core'
import type { Node } from '../node.js'
import type { TableContext } from './context.js'
import { lookup, randomTarget } from './lookup.js'

export const iteratorDefaults = {
  /** Pause after a lookup that found nobody (empty table, no seeds): no busy loop. */
  idleDelayMs: 1000,
} as const

/**
 * An endless stream of nodes found by lookups of random targets (go-ethereum's RandomNodes), for
 * the dial scheduler: each lookup's result set is yielded, closest first; the next lookup starts
 * only when the consumer asks for more. Ends when `signal` aborts.
 */
export async function* randomNodes(
  ctx: TableContext,
  options: { signal: AbortSignal; idleDelayMs?: number },
): AsyncGenerator<Node, void, undefined> {
  const { signal } = options
  while (!signal.aborted) {
    let nodes: Node[]
    try {
      nodes = await lookup(ctx, randomTarget(ctx.table.random), { signal })
    } catch {
      return
    }
    if (nodes.length === 0) {
      try {
        await sleep(ctx.clock, options.idleDelayMs ?? iteratorDefaults.idleDelayMs, signal)
      } catch {
        return
      }
      continue
    }
    for (const n of nodes) {
      if (signal.aborted) return
      yield n
    }
  }
}
