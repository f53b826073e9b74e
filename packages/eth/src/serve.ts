import { encodeList, equalBytes, readFixed, splitList } from '@x/core'
import type { Backend, ChainReader } from './backend.js'
import { headerHash, headerNumber } from './header.js'
import { unavailableAccessList } from './messages/access-lists.js'
import type { Cells, GetCells } from './messages/cells.js'
import { cellSize } from './messages/cells.js'
import { maxMessageSize, maxRequestItems, maxTxItems, softResponseLimit } from './messages/codes.js'
import type { GetBlockHeaders } from './messages/headers.js'

/** Most headers, bodies, receipts or access lists served for one request (go-ethereum's `max*Serve`). */
const maxServe = maxRequestItems
/** Non-canonical steps a hash-mode traversal may take (go-ethereum's `maxNonCanonical`). */
const maxNonCanonical = 100

/** The hash of the header before `header`: its first field. */
function parentHash(header: Uint8Array): Uint8Array {
  return readFixed(splitList(header, 'header')[0], 32, 'parent hash')
}

/** Whether the header `hash` at `number` is the canonical one. */
function isCanonical(chain: ChainReader, hash: Uint8Array, number: number): boolean {
  const h = chain.headerByNumber(number)
  return h !== undefined && equalBytes(headerHash(h), hash)
}

/**
 * The ancestor `back` blocks before the header `hash` at `number` (go-ethereum's
 * `GetAncestor`): by number once on the canonical chain, parent by parent (at most
 * {@link maxNonCanonical} steps) before that. Undefined when unknown.
 */
function ancestor(
  chain: ChainReader,
  hash: Uint8Array,
  number: number,
  back: number,
  budget: { steps: number },
): { hash: Uint8Array; number: number } | undefined {
  if (back > number) return undefined
  let h = hash
  let n = number
  while (back > 0) {
    if (isCanonical(chain, h, n)) {
      const a = chain.headerByNumber(n - back)
      return a ? { hash: headerHash(a), number: n - back } : undefined
    }
    if (budget.steps-- <= 0) return undefined
    const header = chain.headerByHash(h)
    if (!header) return undefined
    h = parentHash(header)
    n--
    back--
  }
  return { hash: h, number: n }
}

/**
 * Answers a GetBlockHeaders query (go-ethereum's `ServiceGetBlockHeadersQuery`): nothing for
 * amount 0; with skip 0 a contiguous run (by number from the canonical chain; by hash forward
 * only from a canonical origin, backward through parent hashes), at most 1024; otherwise header
 * by header, at most 1024, about 2 MiB and 2048 lookups, by hash following ancestry (a forward
 * step is taken only when the header `skip + 1` on is a descendant), stopping at the first
 * unknown header and at any overflow of the number.
 */
export function serveHeaders(chain: ChainReader, query: GetBlockHeaders): Uint8Array[] {
  if (query.amount === 0) return []
  return query.skip === 0 ? serveContiguous(chain, query) : serveNonContiguous(chain, query)
}

function serveContiguous(chain: ChainReader, q: GetBlockHeaders): Uint8Array[] {
  const count = Math.min(q.amount, maxServe)
  const out: Uint8Array[] = []
  let number: number
  if (typeof q.origin === 'number') {
    number = q.origin
  } else {
    const origin = chain.headerByHash(q.origin)
    if (!origin) return out
    out.push(origin)
    if (q.reverse) {
      let h = origin
      while (out.length < count) {
        const parent = chain.headerByHash(parentHash(h))
        if (!parent) break
        out.push(parent)
        h = parent
      }
      return out
    }
    number = headerNumber(origin)
    // Descendants of a block that is not canonical cannot be delivered.
    if (!isCanonical(chain, q.origin, number)) return out
    number++
  }
  while (out.length < count && number >= 0 && number <= Number.MAX_SAFE_INTEGER) {
    const header = chain.headerByNumber(number)
    if (!header) break
    out.push(header)
    number += q.reverse ? -1 : 1
  }
  return out
}

function serveNonContiguous(chain: ChainReader, q: GetBlockHeaders): Uint8Array[] {
  const out: Uint8Array[] = []
  const budget = { steps: maxNonCanonical }
  const step = q.skip + 1
  let hash = typeof q.origin === 'number' ? undefined : q.origin
  let number = typeof q.origin === 'number' ? q.origin : 0
  let first = true
  let bytes = 0
  for (
    let lookups = 0;
    out.length < q.amount &&
    bytes < softResponseLimit &&
    out.length < maxServe &&
    lookups < 2 * maxServe;
    lookups++
  ) {
    let header: Uint8Array | undefined
    if (hash) {
      header = chain.headerByHash(hash)
      if (header && first) number = headerNumber(header)
      first = false
    } else {
      header = chain.headerByNumber(number)
    }
    if (!header) break
    out.push(header)
    bytes += header.length
    if (hash && q.reverse) {
      const a = ancestor(chain, hash, number, step, budget)
      if (!a) break
      ;({ hash, number } = a)
    } else if (hash) {
      const next = number + step
      // go-ethereum's "skip overflow attack": no block that far on.
      if (next > Number.MAX_SAFE_INTEGER) break
      const h = chain.headerByNumber(next)
      if (!h) break
      const nextHash = headerHash(h)
      const back = ancestor(chain, nextHash, next, step, budget)
      if (!back || !equalBytes(back.hash, hash)) break
      hash = nextHash
      number = next
    } else if (q.reverse) {
      if (number < step) break
      number -= step
    } else {
      number += step
      if (number > Number.MAX_SAFE_INTEGER) break
    }
  }
  return out
}

/**
 * Looks up items by hash as go-ethereum serves bodies and receipts (`ServiceGetBlockBodiesQuery`):
 * up to 1024 items, about 2 MiB and 2048 lookups, stopping at the first item it lacks (the reply
 * is positional: a gap would shift every later item).
 */
export function serveByHash(
  hashes: Uint8Array[],
  lookup: (hash: Uint8Array) => Uint8Array | undefined,
): Uint8Array[] {
  const out: Uint8Array[] = []
  let bytes = 0
  for (const [lookups, hash] of hashes.entries()) {
    if (out.length >= maxServe || bytes >= softResponseLimit || lookups >= 2 * maxServe) break
    const item = lookup(hash)
    if (!item) break
    out.push(item)
    bytes += item.length
  }
  return out
}

/**
 * Looks up pooled transactions (go-ethereum's `answerGetPooledTransactions`): unknown hashes are
 * skipped (they cost no bytes), at most 4096 lookups and about 2 MiB.
 */
export function servePooledTransactions(
  hashes: Uint8Array[],
  lookup: (hash: Uint8Array) => Uint8Array | undefined,
): Uint8Array[] {
  const out: Uint8Array[] = []
  let bytes = 0
  for (const [i, hash] of hashes.entries()) {
    if (bytes >= softResponseLimit || i >= maxTxItems) break
    const item = lookup(hash)
    if (!item) continue
    out.push(item)
    bytes += item.length
  }
  return out
}

/**
 * Answers an eth/70 GetReceipts (go-ethereum's `serviceGetReceiptsQuery70`, EIP-7975): per block
 * the network-form receipt list, the first block's from `firstIndex` on; stops at the first block
 * it lacks, past about 2 MiB or 1024 blocks, and cuts the last list short (`lastBlockIncomplete`)
 * rather than go over the 10 MiB message limit.
 */
export function serveReceipts70(
  chain: ChainReader,
  hashes: Uint8Array[],
  firstIndex: number,
): { receipts: Uint8Array[]; lastBlockIncomplete: boolean } {
  const receipts: Uint8Array[] = []
  let bytes = 0
  for (const [i, hash] of hashes.entries()) {
    if (bytes >= softResponseLimit || receipts.length >= maxRequestItems) break
    const list = chain.receiptsByHash(hash, 69)
    if (!list) break
    const all = splitList(list, 'receipts')
    const items: Uint8Array[] = []
    let size = 0
    let incomplete = false
    for (let j = i === 0 ? firstIndex : 0; j < all.length; j++) {
      const item = all[j] as Uint8Array
      if (bytes + size + item.length > maxMessageSize) {
        incomplete = true
        break
      }
      items.push(item)
      size += item.length
    }
    // The first receipt wanted does not fit: this block is left for the next request.
    if (incomplete && items.length === 0) break
    const encoded = encodeList(items)
    receipts.push(encoded)
    bytes += encoded.length
    if (incomplete) return { receipts, lastBlockIncomplete: true }
  }
  return { receipts, lastBlockIncomplete: false }
}

/**
 * Answers GetBlockAccessLists (go-ethereum's `serviceGetBlockAccessListsQuery`, EIP-8159): one
 * entry per hash in request order, the empty string 0x80 for a list we lack; stops past about
 * 2 MiB or 1024 entries (a truncation from the tail, as the EIP allows).
 */
export function serveAccessLists(chain: ChainReader, hashes: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = []
  let bytes = 0
  for (const hash of hashes) {
    if (bytes >= softResponseLimit || out.length >= maxRequestItems) break
    const bal = chain.accessListByHash?.(hash)
    if (!bal || bal.length === 0) {
      out.push(unavailableAccessList)
      continue
    }
    out.push(bal)
    bytes += bal.length
  }
  return out
}

/**
 * Answers GetCells (go-ethereum's `answerGetCells`): for each transaction whose masked cells the
 * blob pool has, all of them; unknown ones are skipped. At most 4096 lookups and about 2 MiB
 * (1024 cells).
 */
export function serveCells(backend: Backend, q: GetCells): Omit<Cells, 'requestId'> {
  const maxCells = softResponseLimit / cellSize
  const hashes: Uint8Array[] = []
  const cells: Uint8Array[][] = []
  let count = 0
  for (const [i, hash] of q.hashes.entries()) {
    if (count >= maxCells || i >= maxTxItems) break
    const found = backend.blobPool?.cells(hash, q.mask)
    if (!found || found.length === 0) continue
    hashes.push(hash)
    cells.push(found)
    count += found.length
  }
  return { hashes, cells, mask: q.mask }
}
