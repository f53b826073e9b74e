import type { ChainReader } from './backend.js'
import { headerNumber } from './header.js'
import { maxRequestItems, softResponseLimit } from './messages/codes.js'
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
