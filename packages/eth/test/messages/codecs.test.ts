import {
  concatBytes,
  Devp2pError,
  encodeBytes,
  encodeList,
  encodeRlp,
  encodeUint,
  toHex as hex,
  RlpError,
  fromHex as raw,
} from '@x/core'
import { describe, expect, it } from 'vitest'
import { EthError } from '../../src/errors.js'
import {
  decodeBlockBodies,
  decodeBlockHeaders,
  decodeBlockRangeUpdate,
  decodeGetBlockBodies,
  decodeGetBlockHeaders,
  decodeGetPooledTransactions,
  decodeGetReceipts,
  decodeNewBlock,
  decodeNewBlockHashes,
  decodeNewPooledTransactionHashes,
  decodePooledTransactions,
  decodeReceipts,
  decodeStatus,
  decodeTransactions,
  encodeBlockBodies,
  encodeBlockHeaders,
  encodeBlockRangeUpdate,
  encodeGetBlockBodies,
  encodeGetBlockHeaders,
  encodeGetPooledTransactions,
  encodeGetReceipts,
  encodeNewBlock,
  encodeNewBlockHashes,
  encodeNewPooledTransactionHashes,
  encodePooledTransactions,
  encodeReceipts,
  encodeStatus,
  encodeTransactions,
  isValidCode,
  MsgCode,
  maxMessageSize,
  type Status68,
  type Status69,
  txHash,
  txType,
  validateBlockRange,
} from '../../src/index.js'

const hash = (n: number) => new Uint8Array(32).fill(n)
const header = (n: number) => encodeList([encodeUint(n), encodeUint(n * 2)])
const legacyTx = encodeList([encodeUint(1), encodeUint(2)])
const typedTx = Uint8Array.of(0x84, 0x02, 0xc2, 0x01, 0x02)

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(EthError)
    return (e as EthError).code
  }
  return undefined
}

const status68: Status68 = {
  version: 68,
  networkId: 1n,
  td: 17_179_869_184n,
  head: hash(1),
  genesis: hash(2),
  forkId: { hash: 0xc376cf8b, next: 0x6930b057n },
}
const status69: Status69 = {
  version: 69,
  networkId: 4242n,
  genesis: hash(2),
  forkId: { hash: 0xfc64ec04, next: 0n },
  earliestBlock: 0,
  latestBlock: 1000,
  latestHash: hash(3),
}

/** Each codec: a value, its encoder, its decoder. */
const cases: [string, unknown, (v: never) => Uint8Array, (p: Uint8Array) => unknown][] = [
  ['Status 68', status68, encodeStatus as never, decodeStatus],
  ['Status 69', status69, encodeStatus as never, decodeStatus],
  [
    'BlockRangeUpdate',
    { earliestBlock: 5, latestBlock: 9, latestHash: hash(9) },
    encodeBlockRangeUpdate as never,
    decodeBlockRangeUpdate,
  ],
  [
    'NewBlockHashes',
    [
      { hash: hash(1), number: 1 },
      { hash: hash(2), number: 300_000 },
    ],
    encodeNewBlockHashes as never,
    decodeNewBlockHashes,
  ],
  ['Transactions', [legacyTx, typedTx], encodeTransactions as never, decodeTransactions],
  [
    'GetBlockHeaders by number',
    { requestId: 7n, origin: 100, amount: 192, skip: 0, reverse: false },
    encodeGetBlockHeaders as never,
    decodeGetBlockHeaders,
  ],
  [
    'GetBlockHeaders by hash',
    { requestId: 2n ** 63n, origin: hash(4), amount: 1, skip: 3, reverse: true },
    encodeGetBlockHeaders as never,
    decodeGetBlockHeaders,
  ],
  [
    'BlockHeaders',
    { requestId: 7n, headers: [header(1), header(2)] },
    encodeBlockHeaders as never,
    decodeBlockHeaders,
  ],
  [
    'GetBlockBodies',
    { requestId: 1n, hashes: [hash(1), hash(2)] },
    encodeGetBlockBodies as never,
    decodeGetBlockBodies,
  ],
  [
    'BlockBodies',
    { requestId: 1n, bodies: [encodeList([encodeList([legacyTx]), encodeList([])])] },
    encodeBlockBodies as never,
    decodeBlockBodies,
  ],
  [
    'NewBlock',
    { block: encodeList([header(5), encodeList([]), encodeList([])]), td: 12345n },
    encodeNewBlock as never,
    decodeNewBlock,
  ],
  [
    'NewPooledTransactionHashes',
    { types: Uint8Array.of(0, 2), sizes: [100, 200_000], hashes: [hash(1), hash(2)] },
    encodeNewPooledTransactionHashes as never,
    decodeNewPooledTransactionHashes,
  ],
  [
    'GetPooledTransactions',
    { requestId: 3n, hashes: [hash(5)] },
    encodeGetPooledTransactions as never,
    decodeGetPooledTransactions,
  ],
  [
    'PooledTransactions',
    { requestId: 3n, txs: [typedTx, legacyTx] },
    encodePooledTransactions as never,
    decodePooledTransactions,
  ],
  [
    'GetReceipts',
    { requestId: 4n, hashes: [hash(6)] },
    encodeGetReceipts as never,
    decodeGetReceipts,
  ],
  [
    'Receipts (eth/69)',
    {
      requestId: 4n,
      receipts: [
        encodeList([encodeList([encodeUint(2), encodeUint(1), encodeUint(21000), encodeList([])])]),
        encodeList([]),
      ],
    },
    encodeReceipts as never,
    decodeReceipts,
  ],
]

describe('GetBlockHeaders with uint64 fields beyond 2^53', () => {
  // devp2p's eth-test GetNonexistentBlockHeaders asks for block 2^64 − 1 ten times and wants
  // an (empty) answer each time, not a disconnect: the fields are uint64 in go-ethereum.
  it('decodes origin, amount and skip up to 2^64 − 1, saturated', () => {
    const max = 2n ** 64n - 1n
    const payload = encodeList([
      encodeUint(3),
      encodeList([encodeUint(max), encodeUint(max), encodeUint(max), encodeUint(0)]),
    ])
    expect(decodeGetBlockHeaders(payload)).toEqual({
      requestId: 3n,
      origin: Number.MAX_SAFE_INTEGER,
      amount: Number.MAX_SAFE_INTEGER,
      skip: Number.MAX_SAFE_INTEGER,
      reverse: false,
    })
    const tooBig = encodeList([
      encodeUint(3),
      encodeList([encodeUint(2n ** 64n), encodeUint(1), encodeUint(0), encodeUint(0)]),
    ])
    expect(() => decodeGetBlockHeaders(tooBig)).toThrow(EthError)
  })
})

describe('codecs round-trip', () => {
  it.each(cases)('%s', (_name, value, encode, decode) => {
    const bytes = encode(value as never)
    expect(decode(bytes)).toEqual(value)
    // Re-encoding the decoded value gives the same bytes.
    expect(hex(encode(decode(bytes) as never))).toBe(hex(bytes))
  })

  it('Status matches the generic RLP encoder', () => {
    const bytes = encodeStatus({ ...status68, td: 1n, head: hash(0xaa), genesis: hash(0xbb) })
    expect(hex(bytes)).toBe(
      `f850440101a0${'aa'.repeat(32)}a0${'bb'.repeat(32)}ca84c376cf8b846930b057`,
    )
    expect(hex(encodeStatus(status69))).toBe(
      hex(
        encodeRlp([
          69,
          4242,
          hash(2),
          [Uint8Array.of(0xfc, 0x64, 0xec, 0x04), 0],
          0,
          1000,
          hash(3),
        ]),
      ),
    )
  })
})

describe('codecs reject malformed input with a typed error', () => {
  it.each(cases)('%s: garbage, truncation, wrong shape', (_name, value, encode, decode) => {
    const bytes = encode(value as never)
    expect(codeOf(() => decode(new Uint8Array()))).toBe('ERR_DECODE')
    expect(codeOf(() => decode(bytes.subarray(0, bytes.length - 1)))).toBe('ERR_DECODE')
    expect(codeOf(() => decode(Uint8Array.of(...bytes, 0x00)))).toBe('ERR_DECODE')
    expect(codeOf(() => decode(raw('83010203')))).toBe('ERR_DECODE')
    expect(codeOf(() => decode(raw('c3c2c1')))).toBe('ERR_DECODE')
  })

  it("keeps the RLP reader's RlpError as the cause of ERR_DECODE", () => {
    let err: unknown
    try {
      decodeStatus(raw('c3c2c1'))
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(EthError)
    expect(err).toBeInstanceOf(Devp2pError)
    expect((err as EthError).code).toBe('ERR_DECODE')
    expect((err as EthError).cause).toBeInstanceOf(RlpError)
    expect((err as EthError).message).toBe(((err as EthError).cause as RlpError).message)
  })

  it('rejects messages over the size limit', () => {
    const big = new Uint8Array(maxMessageSize + 1)
    for (const [, , , decode] of cases) expect(codeOf(() => decode(big))).toBe('ERR_MSG_TOO_LARGE')
  })

  it('rejects non-canonical RLP', () => {
    // 0x8105: single byte below 0x80 wrapped in a string header.
    expect(codeOf(() => decodeTransactions(raw('c28105')))).toBe('ERR_DECODE')
    // Long form for a short list.
    expect(codeOf(() => decodeTransactions(raw('f801c0')))).toBe('ERR_DECODE')
    // Integer with a leading zero.
    expect(codeOf(() => decodeGetBlockBodies(raw('c4820001c0')))).toBe('ERR_DECODE')
  })

  it('rejects bad field values', () => {
    // Hash of 31 bytes.
    expect(
      codeOf(() => decodeGetBlockBodies(encodeList([encodeUint(1), encodeList([encodeUint(5)])]))),
    ).toBe('ERR_DECODE')
    // reverse = 2.
    const q = encodeList([encodeUint(1), encodeList([1, 1, 0, 2].map((v) => encodeUint(v)))])
    expect(codeOf(() => decodeGetBlockHeaders(q))).toBe('ERR_DECODE')
    // Announcement lists of different lengths.
    const ann = encodeNewPooledTransactionHashes({
      types: Uint8Array.of(0, 2),
      sizes: [1],
      hashes: [hash(1), hash(2)],
    })
    expect(codeOf(() => decodeNewPooledTransactionHashes(ann))).toBe('ERR_ANNOUNCE_LENGTHS')
    // Items of a well-formed list that are not what the message holds: ERR_INVALID_ITEM (go-ethereum
    // decodes them after the message, from its rlp.RawList).
    // A typed transaction with a type byte ≥ 0x80.
    expect(codeOf(() => decodeTransactions(encodeList([raw('82c001')])))).toBe('ERR_INVALID_ITEM')
    // Non-list item in BlockHeaders.
    expect(
      codeOf(() => decodeBlockHeaders(encodeList([encodeUint(1), encodeList([encodeUint(3)])]))),
    ).toBe('ERR_INVALID_ITEM')
    // eth/69 receipt with bloom (5 fields).
    const r5 = encodeList([1, 1, 1, 1, 1].map((v) => encodeUint(v)))
    const rec = encodeList([encodeUint(1), encodeList([encodeList([r5])])])
    expect(codeOf(() => decodeReceipts(rec))).toBe('ERR_INVALID_ITEM')
    // Fork id hash of 3 bytes in a Status.
    const bad = encodeStatus(status68)
    expect(codeOf(() => decodeStatus(bad.subarray(0, bad.length - 10)))).toBe('ERR_DECODE')
  })

  it('validates block ranges', () => {
    expect(() =>
      validateBlockRange({ earliestBlock: 1, latestBlock: 2, latestHash: hash(1) }),
    ).not.toThrow()
    expect(
      codeOf(() => validateBlockRange({ earliestBlock: 3, latestBlock: 2, latestHash: hash(1) })),
    ).toBe('ERR_INVALID_BLOCK_RANGE')
    expect(
      codeOf(() => validateBlockRange({ earliestBlock: 0, latestBlock: 2, latestHash: hash(0) })),
    ).toBe('ERR_INVALID_BLOCK_RANGE')
  })
})

describe('codes', () => {
  it('knows which codes each version has', () => {
    expect(isValidCode(68, MsgCode.NewBlock)).toBe(true)
    expect(isValidCode(69, MsgCode.NewBlock)).toBe(false)
    expect(isValidCode(69, MsgCode.NewBlockHashes)).toBe(false)
    expect(isValidCode(68, MsgCode.BlockRangeUpdate)).toBe(false)
    expect(isValidCode(69, MsgCode.BlockRangeUpdate)).toBe(true)
    expect(isValidCode(68, 0x0b)).toBe(false)
    expect(isValidCode(69, MsgCode.Receipts)).toBe(true)
  })
})

describe('transactions', () => {
  it('hashes legacy and typed transactions', () => {
    expect(txType(legacyTx)).toBe(0)
    expect(txType(typedTx)).toBe(2)
    expect(txHash(legacyTx)).toHaveLength(32)
    expect(hex(txHash(typedTx))).not.toBe(hex(txHash(raw('8302c001'))))
  })
})

describe('hash lists (the one-view-per-hash path and the general one agree)', () => {
  const hashes = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const h = new Uint8Array(32)
      new DataView(h.buffer).setUint32(0, i * 2654435761)
      return h
    })

  it('decodes every size, short and long list headers, as the general reader does', () => {
    for (const n of [0, 1, 2, 56, 1024, 40_000]) {
      const list = hashes(n)
      const q = decodeGetBlockBodies(encodeGetBlockBodies({ requestId: 9n, hashes: list }))
      expect(q.hashes).toEqual(list)
      const r = decodeGetReceipts(
        encodeGetReceipts({ requestId: 9n, hashes: list, firstBlockReceiptIndex: 3 }, 70),
        70,
      )
      expect(r.hashes).toEqual(list)
    }
  })

  it('refuses a list with one item that is not a 32-byte string, wherever it is', () => {
    const good = hashes(3).map((h) => encodeBytes(h))
    for (const bad of [
      encodeBytes(new Uint8Array(31)),
      encodeBytes(new Uint8Array(33)),
      raw('c0'),
    ]) {
      for (let at = 0; at <= good.length; at++) {
        const items = [...good.slice(0, at), bad, ...good.slice(at)]
        const payload = encodeList([encodeUint(1), encodeList(items)])
        expect(codeOf(() => decodeGetBlockBodies(payload))).toBe('ERR_DECODE')
      }
    }
    // A 32-byte string in the long form (0xb8 0x20): not canonical.
    const long = concatBytes(Uint8Array.of(0xb8, 0x20), new Uint8Array(32))
    const payload = encodeList([encodeUint(1), encodeList([...good, long])])
    expect(codeOf(() => decodeGetBlockBodies(payload))).toBe('ERR_DECODE')
  })
})
