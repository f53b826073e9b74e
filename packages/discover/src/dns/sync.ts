import { sleep } from '@x/core'
import type { Enr } from '../enr/enr.js'
import { DnsError } from '../errors.js'
import type { Node } from '../node.js'
import type { DnsClient } from './client.js'
import { type LinkEntry, parseLink, type RootEntry, type TreeEntry, treeConstants } from './tree.js'

/** Leaf failures after which the root is fetched again early (go-ethereum's `rootRecheckFailCount`). */
const rootRecheckFailCount = 5

/**
 * Which tree links to which (go-ethereum's `linkCache`): `backrefs[to]` is the set of trees
 * linking to `to`, `''` for a URL we were given. A tree is walked while anything links to it,
 * so link loops (A → B → A) cost nothing more than the two trees.
 */
export class LinkCache {
  readonly backrefs = new Map<string, Set<string>>()
  changed = false

  isReferenced(id: string): boolean {
    return (this.backrefs.get(id)?.size ?? 0) > 0
  }

  addLink(from: string, to: string): void {
    let refs = this.backrefs.get(to)
    if (refs?.has(from)) return
    if (!refs) {
      refs = new Set()
      this.backrefs.set(to, refs)
    }
    refs.add(from)
    this.changed = true
  }

  /** Drops `from`'s links except those in `keep`, and, transitively, trees no longer linked. */
  resetLinks(from: string, keep: ReadonlySet<string>): void {
    const stack = [from]
    while (stack.length > 0) {
      const item = stack.pop() as string
      for (const [to, refs] of this.backrefs) {
        if (keep.has(to) || !refs.has(item)) continue
        this.changed = true
        refs.delete(item)
        if (refs.size === 0) {
          this.backrefs.delete(to)
          stack.push(to)
        }
      }
    }
  }
}

/**
 * The walk of one subtree (go-ethereum's `subtreeSync`): hashes still to fetch, the leaves
 * found. Bounded: a hash is visited once per walk, and a walk visits at most
 * `client.maxTreeEntries` hashes (`ERR_DNS_TREE_TOO_LARGE`), so a hostile tree can neither loop
 * nor blow up.
 */
export class SubtreeSync {
  readonly root: string
  readonly link: boolean
  missing: string[]
  leaves = 0
  readonly #seen = new Set<string>()
  readonly #client: DnsClient
  readonly #loc: LinkEntry

  constructor(client: DnsClient, loc: LinkEntry, root: string, link: boolean) {
    this.#client = client
    this.#loc = loc
    this.root = root
    this.link = link
    this.missing = [root]
    this.#seen.add(root)
  }

  get done(): boolean {
    return this.missing.length === 0
  }

  /** Fetches `hash` (one of `missing`) and queues its children; the caller removes it. */
  async resolveNext(hash: string, signal: AbortSignal): Promise<TreeEntry> {
    const e = await this.#client.resolveEntry(this.#loc.domain, hash, { signal })
    const where = { domain: `${hash}.${this.#loc.domain}` }
    if (e.kind === 'enr') {
      if (this.link)
        throw new DnsError('ERR_DNS_ENR_IN_LINK_TREE', 'node record in link tree', where)
      this.leaves++
    } else if (e.kind === 'link') {
      if (!this.link) throw new DnsError('ERR_DNS_LINK_IN_ENR_TREE', 'link in node tree', where)
      this.leaves++
    } else {
      for (const child of e.children) {
        if (this.#seen.has(child)) continue
        if (this.#seen.size >= this.#client.maxTreeEntries) {
          throw new DnsError(
            'ERR_DNS_TREE_TOO_LARGE',
            `tree has more than ${this.#client.maxTreeEntries} entries`,
            where,
          )
        }
        this.#seen.add(child)
        this.missing.push(child)
      }
    }
    return e
  }
}

/**
 * One tree being walked lazily (go-ethereum's `clientTree`): its root is fetched first and
 * again every recheck interval (or after repeated leaf failures, with a slowdown after failed
 * root fetches); the link subtree is walked to the end before any node is taken; nodes are then
 * taken one random leaf at a time, the walk starting over once every leaf was visited.
 */
export class ClientTree {
  readonly loc: LinkEntry
  root: RootEntry | undefined
  #lastRootCheck = Number.NEGATIVE_INFINITY
  #leafFails = 0
  #rootFails = 0
  #enrs: SubtreeSync | undefined
  #links: SubtreeSync | undefined
  #curLinks = new Set<string>()
  #linkGcRoot = ''
  readonly #client: DnsClient
  readonly #lc: LinkCache

  constructor(client: DnsClient, lc: LinkCache, loc: LinkEntry) {
    this.#client = client
    this.#lc = lc
    this.loc = loc
  }

  /** One step: fetch the root if due, else one link record, else one random node record. */
  async syncRandom(signal: AbortSignal): Promise<Node | undefined> {
    if (this.rootUpdateDue()) await this.#updateRoot(signal)
    try {
      const links = this.#links as SubtreeSync
      if (!links.done) {
        await this.#syncNextLink(links, signal)
        return undefined
      }
      this.#gcLinks()
      let enrs = this.#enrs as SubtreeSync
      if (enrs.done) {
        enrs = new SubtreeSync(this.#client, this.loc, (this.root as RootEntry).eroot, false)
        this.#enrs = enrs
      }
      return await this.#syncNextRandomEnr(enrs, signal)
    } catch (e) {
      this.#leafFails++
      throw e
    }
  }

  /**
   * Whether a step can make progress now: the root is due, a walk is unfinished, or the node
   * tree has leaves to revisit (an empty tree is not syncable until its next root check).
   */
  canSyncRandom(): boolean {
    return (
      this.rootUpdateDue() ||
      !(this.#links?.done ?? true) ||
      !(this.#enrs?.done ?? true) ||
      (this.#enrs?.leaves ?? 0) !== 0
    )
  }

  rootUpdateDue(): boolean {
    return (
      this.root === undefined ||
      this.#leafFails > rootRecheckFailCount ||
      this.#client.clock.now() >= this.nextScheduledRootCheck()
    )
  }

  nextScheduledRootCheck(): number {
    return this.#lastRootCheck + this.#client.recheckIntervalMs
  }

  /**
   * The whole tree at once (go-ethereum's `SyncTree`): its root, every node record and the
   * URLs of the trees it links to (not followed). For tools and tests; nodes use the lazy walk.
   */
  async syncAll(signal: AbortSignal): Promise<{ root: RootEntry; enrs: Enr[]; links: string[] }> {
    await this.#updateRoot(signal)
    const links: string[] = []
    const enrs: Enr[] = []
    for (const sub of [this.#links, this.#enrs] as SubtreeSync[]) {
      while (!sub.done) {
        const hash = sub.missing[0] as string
        const e = await sub.resolveNext(hash, signal)
        sub.missing.shift()
        if (e.kind === 'link') links.push(`${treeConstants.linkPrefix}${e.id}`)
        if (e.kind === 'enr') enrs.push(e.enr)
      }
    }
    return { root: this.root as RootEntry, enrs, links }
  }

  async #updateRoot(signal: AbortSignal): Promise<void> {
    // go-ethereum's slowdownRootUpdate: a tree whose root keeps failing is asked less often.
    const delay = this.#rootFails > 20 ? 10_000 : this.#rootFails > 5 ? 5_000 : 0
    if (delay > 0) await sleep(this.#client.clock, delay, signal)
    this.#lastRootCheck = this.#client.clock.now()
    let root: RootEntry
    try {
      root = await this.#client.resolveRoot(this.loc, { signal })
    } catch (e) {
      this.#rootFails++
      throw e
    }
    this.root = root
    this.#rootFails = 0
    this.#leafFails = 0
    if (this.#links?.root !== root.lroot) {
      this.#links = new SubtreeSync(this.#client, this.loc, root.lroot, true)
      this.#curLinks = new Set()
    }
    if (this.#enrs?.root !== root.eroot) {
      this.#enrs = new SubtreeSync(this.#client, this.loc, root.eroot, false)
    }
  }

  async #syncNextLink(links: SubtreeSync, signal: AbortSignal): Promise<void> {
    const hash = links.missing[0] as string
    const e = await links.resolveNext(hash, signal)
    links.missing.shift()
    if (e.kind === 'link') {
      this.#lc.addLink(this.loc.id, e.id)
      this.#curLinks.add(e.id)
    }
  }

  async #syncNextRandomEnr(enrs: SubtreeSync, signal: AbortSignal): Promise<Node | undefined> {
    const index = Math.floor(this.#client.random() * enrs.missing.length)
    const hash = enrs.missing[index] as string
    const e = await enrs.resolveNext(hash, signal)
    // Swap-remove: order does not matter, picks are random.
    enrs.missing[index] = enrs.missing[enrs.missing.length - 1] as string
    enrs.missing.pop()
    return e.kind === 'enr' ? e.enr.toNode() : undefined
  }

  #gcLinks(): void {
    const root = this.root as RootEntry
    if (!(this.#links as SubtreeSync).done || root.lroot === this.#linkGcRoot) return
    this.#lc.resetLinks(this.loc.id, this.#curLinks)
    this.#linkGcRoot = root.lroot
  }
}

/** A tree's link entry from its id (`key@domain`). */
export function linkOf(id: string): LinkEntry {
  return parseLink(`${treeConstants.linkPrefix}${id}`)
}
