import { equalBytes } from '@x/core'
import type { Enr, Node } from '@x/discover'
import { dialDefaults } from './options.js'

/**
 * Which discovered nodes are worth dialing, judged by their record (go-ethereum's
 * `enode.Filter` with `eth.NewNodeFilter`: the `eth` entry's fork id must pass our fork filter).
 */
export type DialFilter = (record: Enr) => boolean

/** How the filter gets a node's current record (go-ethereum's discv4 `RequestENR`). */
export type RecordResolver = (node: Node, options: { signal: AbortSignal }) => Promise<Enr>

/**
 * The nodes of `source` whose record passes `filter`, the record fetched for each with up to
 * `parallel` requests in flight (go-ethereum's `enode.AsyncFilter` with
 * `maxParallelENRRequests`). A node whose record cannot be had, or names another node, is
 * skipped (`onSkip` says why). The endpoint comes from the record, as go-ethereum dials the resolved node. Ends when
 * `source` ends or `signal` aborts; returning it returns `source` and abandons requests in flight.
 */
export async function* filteredCandidates(
  source: AsyncIterator<Node>,
  resolve: RecordResolver,
  filter: DialFilter,
  signal: AbortSignal,
  parallel: number = dialDefaults.maxParallelRecordRequests,
  onSkip: (node: Node, why: 'no record' | 'filtered') => void = () => {},
): AsyncGenerator<Node, void, undefined> {
  type Event =
    | { kind: 'source'; next: IteratorResult<Node> }
    | { kind: 'checked'; node: Node | undefined; check: Promise<Event> }
  const checks = new Set<Promise<Event>>()
  let pull: Promise<Event> | undefined
  let sourceDone = false
  const check = async (node: Node): Promise<Node | undefined> => {
    let record: Enr
    try {
      record = await resolve(node, { signal })
    } catch {
      onSkip(node, 'no record')
      return undefined
    }
    if (!equalBytes(record.nodeId, node.id)) {
      onSkip(node, 'no record')
      return undefined
    }
    if (!filter(record)) {
      onSkip(node, 'filtered')
      return undefined
    }
    return record.toNode() ?? node
  }
  try {
    while (!signal.aborted) {
      // Keep pulling from the source while checks run, so a slow lookup holds up no result.
      if (!sourceDone && !pull && checks.size < parallel) {
        pull = source.next().then((next): Event => ({ kind: 'source', next }))
      }
      const racers: Promise<Event>[] = pull ? [pull, ...checks] : [...checks]
      if (racers.length === 0) return
      const e = await Promise.race(racers)
      if (e.kind === 'source') {
        pull = undefined
        if (e.next.done) sourceDone = true
        else {
          const c: Promise<Event> = check(e.next.value).then((node) => ({
            kind: 'checked',
            node,
            check: c,
          }))
          checks.add(c)
        }
      } else {
        checks.delete(e.check)
        if (e.node && !signal.aborted) yield e.node
      }
    }
  } finally {
    await source.return?.()
  }
}
