import { encodeList, splitList } from '@x/core'
import type { Backend, ChainReader } from './backend.js'
import { headerNumber } from './header.js'
import { unavailableAccessList } from './messages/access-lists.js'
import type { Cells, GetCells } from './messages/cells.js'
import { cellSize } from './messages/cells.js'
import { maxMessageSize, maxRequestItems, maxTxItems, softResponseLimit } from './messages/codes.js'
import type { GetBlockHeaders } from './messages/headers.js'

/**
 * Answers a GetBlockHeaders query from the canonical chain (go-ethereum's
 * `serviceNonContiguousBlockHeaderQuery`): from the origin, `amount` headers (at most 1024 and
 * about 2 MiB), `skip` blocks apart, ascending or descending; stops at the first unknown block.
 */
export function serveHeaders(chain: ChainReader, query: GetBlockHeaders): Uint8Array[] {
  const amount = Math.min(query.amount, maxRequestItems)
  const headers: Uint8Array[] = []
  let bytes = 0
  let number: number
  if (typeof query.origin === 'number') {
    number = query.origin
  } else {
    const origin = chain.headerByHash(query.origin)
    if (!origin) return headers
    number = headerNumber(origin)
  }
  const step = query.skip + 1
  while (headers.length < amount && bytes < softResponseLimit) {
    const header = chain.headerByNumber(number)
    if (!header) break
    headers.push(header)
    bytes += header.length
    if (query.reverse) {
      if (number < step) break
      number -= step
    } else {
      number += step
      if (number > Number.MAX_SAFE_INTEGER) break
    }
  }
  return headers
}

/** Looks up items by hash up to 1024 items and about 2 MiB; unknown hashes are skipped. */
export function serveByHash(
  hashes: Uint8Array[],
  lookup: (hash: Uint8Array) => Uint8Array | undefined,
): Uint8Array[] {
  const out: Uint8Array[] = []
  let bytes = 0
  for (const hash of hashes) {
    if (out.length >= maxRequestItems || bytes >= softResponseLimit) break
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
