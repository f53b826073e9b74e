import { encodeBytes, encodeList, encodeUint } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { devnet } from '../src/chain.js'
import { headerHash, headerNumber } from '../src/header.js'
import { MemoryChain } from '../src/memory-backend.js'
import { decodeGetBlockHeaders, encodeGetBlockHeaders } from '../src/messages/headers.js'
import { serveHeaders } from '../src/serve.js'

// go-ethereum's eth/protocols/eth handler_test.go `testGetBlockHeaders` table, as our own cases:
// a chain of maxHeadersServe + 15 blocks, queries by hash and number, skips, reverse, past the
// head, limits, and skip overflow at 2^64 − 1. Queries are sent through our codec (uint64 fields
// above 2^53 − 1 decode saturated) so the table also covers what we tolerate on the wire.

const limit = 1024
const chain = new MemoryChain(devnet, { clock: new ManualClock() })
for (let i = 0; i < limit + 15; i++) chain.mine()
const head = chain.head().number
const hashAt = (n: number) => headerHash(chain.headerByNumber(n) as Uint8Array)

const maxU64 = 2n ** 64n - 1n
/** A query as go-ethereum's struct: uint64 fields as bigint, put on the wire, decoded by us. */
function query(origin: Uint8Array | bigint, amount: bigint, skip = 0n, reverse = false) {
  const o = typeof origin === 'bigint' ? encodeUint(origin) : encodeBytes(origin)
  const wire = encodeList([
    encodeUint(1),
    encodeList([o, encodeUint(amount), encodeUint(skip), encodeUint(reverse ? 1 : 0)]),
  ])
  return decodeGetBlockHeaders(wire)
}
const n = (x: number) => BigInt(x)
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from - 1 - i)
const unknown = Uint8Array.from({ length: 32 }, (_, i) => i)

const table: [string, ReturnType<typeof query>, number[]][] = [
  ['a single header by hash', query(hashAt(limit / 2), 1n), [limit / 2]],
  ['a single header by number', query(n(limit / 2), 1n), [limit / 2]],
  ['multiple headers, ascending', query(n(limit / 2), 3n), [512, 513, 514]],
  ['multiple headers, descending', query(n(limit / 2), 3n, 0n, true), [512, 511, 510]],
  ['skip, ascending', query(n(limit / 2), 3n, 3n), [512, 516, 520]],
  ['skip, descending', query(n(limit / 2), 3n, 3n, true), [512, 508, 504]],
  ['the genesis', query(0n, 1n), [0]],
  ['the head', query(n(head), 1n), [head]],
  ['a bit into the future: what we have', query(n(head), 10n), [head]],
  ['the limit is honoured', query(n(head - 1), n(limit + 10), 0n, true), range(head, limit)],
  ['skip past the head', query(n(head - 4), 3n, 3n), [head - 4, head]],
  ['skip past the genesis', query(4n, 3n, 3n, true), [4, 0]],
  ['skip short of the head', query(n(head - 4), 3n, 2n), [head - 4, head - 1]],
  ['skip short of the genesis', query(4n, 3n, 2n, true), [4, 1]],
  ['reverse past the genesis', query(2n, 5n, 0n, true), [2, 1, 0]],
  ['skip 2^64 − 2, ascending: overflow', query(1n, 2n, maxU64 - 1n), [1]],
  ['skip 2^64 − 2, descending: underflow', query(1n, 2n, maxU64 - 1n, true), [1]],
  ['skip 2^64 − 1, ascending', query(1n, 2n, maxU64), [1]],
  ['skip 2^64 − 1, descending', query(1n, 2n, maxU64, true), [1]],
  ['skip 2^64 − 2 by hash: overflow attack', query(hashAt(3), 2n, maxU64 - 1n), [3]],
  ['skip 2^64 − 1 by hash', query(hashAt(1), 2n, maxU64), [1]],
  ['an unknown hash', query(unknown, 1n), []],
  ['a number past the head', query(n(head + 1), 1n), []],
]

describe("serveHeaders: go-ethereum's GetBlockHeaders table", () => {
  it.each(table)('%s', (_name, q, want) => {
    expect(serveHeaders(chain, q).map(headerNumber)).toEqual(want)
  })

  it('hash-mode traversal follows ancestry: skip by hash, both ways', () => {
    expect(serveHeaders(chain, query(hashAt(10), 3n, 4n)).map(headerNumber)).toEqual([10, 15, 20])
    expect(serveHeaders(chain, query(hashAt(20), 3n, 4n, true)).map(headerNumber)).toEqual([
      20, 15, 10,
    ])
  })

  it('amount 0 serves nothing; the codec round-trips what it decoded', () => {
    expect(serveHeaders(chain, query(5n, 0n))).toEqual([])
    const q = query(5n, 2n, 1n, true)
    expect(decodeGetBlockHeaders(encodeGetBlockHeaders(q))).toEqual(q)
  })
})
