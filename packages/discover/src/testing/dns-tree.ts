import { getCrypto } from '@x/core'
import type { TxtResolver } from '../dns/resolver.js'
import {
  type EnrEntry,
  formatEntry,
  formatLink,
  formatRoot,
  type LinkEntry,
  parseLink,
  signRoot,
  subdomain,
  type TreeEntry,
} from '../dns/tree.js'
import type { Enr } from '../enr/enr.js'
import { compressNodeId } from '../node.js'

/** Children per branch record: what fits 370 bytes of hashes (go-ethereum's `maxChildren`). */
const maxChildren = 13

/** A signed EIP-1459 tree as DNS would serve it: TXT records by full name. */
export interface PublishedTree {
  /** `enrtree://<key>@<domain>`. */
  url: string
  domain: string
  /** Every name of the tree (the root at `domain`) and its TXT records. */
  records: Map<string, string[]>
}

export interface MakeTreeOptions {
  /** The tree key (32 bytes); its compressed public key goes into the URL. */
  privateKey: Uint8Array
  domain: string
  seq?: number
  nodes?: readonly Enr[]
  /** `enrtree://` URLs of other trees. */
  links?: readonly string[]
}

/**
 * Builds and signs a tree as go-ethereum's `dnsdisc.MakeTree` lays it out: records sorted by
 * node ID, branches of up to 13 children, a root over the node and link subtrees. For tests
 * and local fixtures; publishing to a real zone is out of scope.
 */
export function makeTree(options: MakeTreeOptions): PublishedTree {
  const c = getCrypto()
  const url = formatLink(compressNodeId(c.publicKey(options.privateKey)), options.domain)
  const records = new Map<string, string[]>()
  const put = (e: TreeEntry): string => {
    const text = formatEntry(e)
    const h = subdomain(text)
    records.set(`${h}.${options.domain}`, [text])
    return h
  }
  const build = (entries: TreeEntry[]): string => {
    if (entries.length === 1) return put(entries[0] as TreeEntry)
    if (entries.length <= maxChildren) return put({ kind: 'branch', children: entries.map(put) })
    const subtrees: TreeEntry[] = []
    for (let i = 0; i < entries.length; i += maxChildren) {
      subtrees.push({ kind: 'branch', children: entries.slice(i, i + maxChildren).map(put) })
    }
    return build(subtrees)
  }
  const enrs: EnrEntry[] = [...(options.nodes ?? [])]
    .sort((a, b) => Buffer.compare(a.nodeId, b.nodeId))
    .map((enr) => ({ kind: 'enr', enr }))
  const links: LinkEntry[] = (options.links ?? []).map(parseLink)
  const eroot = build(enrs.length === 0 ? [{ kind: 'branch', children: [] }] : enrs)
  const lroot = build(links.length === 0 ? [{ kind: 'branch', children: [] }] : links)
  const root = signRoot({ eroot, lroot, seq: options.seq ?? 1 }, options.privateKey)
  records.set(options.domain, [formatRoot(root)])
  return { url, domain: options.domain, records }
}

/**
 * A TXT resolver over fixed records (several trees merged); unknown names reject like NXDOMAIN
 * (`ENOTFOUND`). `lookups` counts the queries.
 */
export function memoryTxtResolver(
  ...trees: (PublishedTree | Map<string, string[]>)[]
): TxtResolver & { lookups: number; records: Map<string, string[]> } {
  const records = new Map<string, string[]>()
  for (const t of trees) for (const [k, v] of t instanceof Map ? t : t.records) records.set(k, v)
  const resolver = Object.assign(
    async (name: string, { signal }: { signal: AbortSignal }) => {
      resolver.lookups++
      await Promise.resolve()
      signal.throwIfAborted()
      const r = records.get(name)
      if (!r) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' })
      return [...r]
    },
    { lookups: 0, records },
  )
  return resolver
}
