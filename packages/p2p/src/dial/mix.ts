import type { Logger } from '@x/core'
import type { Node } from '@x/discover'

/**
 * A source of dial candidates beside discovery's lookups (go-ethereum adds DNS discovery's
 * iterator to its `enode.FairMix`): an endless stream of Nodes that ends when `signal` aborts,
 * e.g. `(o) => dnsNodes(client, urls, o)` from @x/discover.
 */
export type DialSource = (options: { signal: AbortSignal }) => AsyncIterator<Node>

type Pull = { i: number; r: IteratorResult<Node> }

/**
 * go-ethereum's `enode.FairMix` as a merge: every source has one `next()` in flight and a
 * buffer of one node, and the source that gave the last node goes to the back of the line, so
 * a slow source never holds up a fast one and a fast one cannot starve the others. A source
 * that ends or throws (logged) leaves the mix; the mix ends when all have, or on abort. Closes
 * every source when it ends.
 */
export async function* fairMix(
  sources: readonly DialSource[],
  options: { signal: AbortSignal; logger?: Logger },
): AsyncGenerator<Node, void, undefined> {
  const { signal } = options
  const its = sources.map((s) => s({ signal }))
  const pending = new Map<number, Promise<Pull>>()
  const pull = (i: number) => {
    const it = its[i] as AsyncIterator<Node>
    pending.set(
      i,
      it.next().then(
        (r) => ({ i, r }),
        (error: unknown) => {
          if (!signal.aborted) options.logger?.warn('dial source failed', { err: String(error) })
          return { i, r: { done: true, value: undefined } }
        },
      ),
    )
  }
  const aborted = new Promise<undefined>((resolve) => {
    if (signal.aborted) resolve(undefined)
    else signal.addEventListener('abort', () => resolve(undefined), { once: true })
  })
  try {
    for (let i = 0; i < its.length; i++) pull(i)
    while (pending.size > 0 && !signal.aborted) {
      const got = await Promise.race([...pending.values(), aborted])
      if (!got) break
      pending.delete(got.i)
      if (got.r.done) continue
      pull(got.i) // re-queued at the back of the line
      yield got.r.value
    }
  } finally {
    for (const it of its) void it.return?.()?.catch(() => {})
  }
}
