import { sleep } from '@x/core'
import type { Node } from '../node.js'
import type { DnsClient } from './client.js'
import { ClientTree, LinkCache, linkOf } from './sync.js'
import { parseLink } from './tree.js'

/**
 * Nodes from EIP-1459 trees, endlessly, as a dial source (go-ethereum's `randomIterator`):
 * each step picks a random tree among those that can make progress and takes one step of its
 * lazy walk (root, link records, then one random leaf); trees linked from a tree join, trees no
 * longer linked leave. When no tree can progress it waits for the earliest root re-check.
 * Lookup failures are logged and the walk goes on (the client's rate limit keeps it from
 * spinning); nothing ends it but `signal`. Throws `ERR_DNS_BAD_URL` at once for a bad URL.
 */
export function dnsNodes(
  client: DnsClient,
  urls: readonly string[],
  options: { signal: AbortSignal },
): AsyncGenerator<Node, void, undefined> {
  const lc = new LinkCache()
  for (const url of urls) lc.addLink('', parseLink(url).id)
  return walk(client, lc, options.signal)
}

async function* walk(
  client: DnsClient,
  lc: LinkCache,
  signal: AbortSignal,
): AsyncGenerator<Node, void, undefined> {
  const trees = new Map<string, ClientTree>()
  while (!signal.aborted) {
    if (lc.changed) {
      lc.changed = false
      for (const id of trees.keys()) if (!lc.isReferenced(id)) trees.delete(id)
      for (const id of lc.backrefs.keys()) {
        if (!trees.has(id)) trees.set(id, new ClientTree(client, lc, linkOf(id)))
      }
    }
    const all = [...trees.values()]
    if (all.length === 0) return
    const syncable = all.filter((t) => t.canSyncRandom())
    if (syncable.length === 0) {
      const next = Math.min(...all.map((t) => t.nextScheduledRootCheck()))
      const wait = Math.max(1, next - client.clock.now())
      client.log.debug('DNS discovery waiting for root updates', { ms: wait })
      try {
        await sleep(client.clock, wait, signal)
      } catch {
        return
      }
      continue
    }
    const tree = syncable[Math.floor(client.random() * syncable.length)] as ClientTree
    let node: Node | undefined
    try {
      node = await tree.syncRandom(signal)
    } catch (e) {
      if (signal.aborted) return
      client.log.debug('DNS discovery sync failed', {
        tree: tree.loc.domain,
        err: (e as Error).message,
      })
      continue
    }
    if (node) yield node
  }
}
