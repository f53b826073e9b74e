import { readFileSync } from 'node:fs'
import { toHex as hex, fromHex as raw } from '@x/core'
import { describe, expect, it } from 'vitest'
import {
  custodyCount,
  decodeBlockAccessLists,
  decodeCells,
  decodeGetBlockAccessLists,
  decodeGetCells,
  decodeGetReceipts,
  decodeNewPooledTransactionHashes,
  decodeReceipts,
  decodeStatus,
  EthError,
  encodeBlockAccessLists,
  encodeCells,
  encodeGetBlockAccessLists,
  encodeGetCells,
  encodeGetReceipts,
  encodeNewPooledTransactionHashes,
  encodeReceipts,
  encodeStatus,
  isValidCode,
  MsgCode,
  protocolLengths,
} from '../../src/index.js'

// eth/70 (EIP-7975 partial receipts), eth/71 (EIP-8159 block access lists) and eth/72 (cells),
// against go-ethereum v1.17.10's own encoding of its packet types (fixture's `source`).

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/eth7x-messages.json', import.meta.url), 'utf8'),
) as { vectors: Record<string, string> }
const v = (name: string) => raw(fixture.vectors[name] as string)
const word = (n: number) => {
  const h = new Uint8Array(32)
  new DataView(h.buffer).setUint32(28, n)
  return h
}
const hashes = [word(0xdeadc0de), word(0xfeedbeef)]
const mask = raw('81010000000000000000000000000080')
const cell = new Uint8Array(2048)
cell[0] = 1
cell[2047] = 2

describe('eth/70–72 codecs, go-ethereum vectors', () => {
  it('GetReceipts of eth/70 carries the first block receipt index', () => {
    const req = { requestId: 1111n, firstBlockReceiptIndex: 3, hashes }
    expect(hex(encodeGetReceipts(req, 70))).toBe(hex(v('GetReceiptsPacket70')))
    expect(decodeGetReceipts(v('GetReceiptsPacket70'), 70)).toEqual(req)
  })

  it('Receipts of eth/70 carries last-block-incomplete', () => {
    const lists = [raw('c0'), raw('c7c680018203e8c0')]
    const res = { requestId: 1111n, lastBlockIncomplete: true, receipts: lists }
    expect(hex(encodeReceipts(res, 70))).toBe(hex(v('ReceiptsPacket70')))
    expect(decodeReceipts(v('ReceiptsPacket70'), 71)).toEqual(res)
  })

  it('GetBlockAccessLists and BlockAccessLists (0x80 marks an unavailable list)', () => {
    expect(hex(encodeGetBlockAccessLists({ requestId: 1111n, hashes }))).toBe(
      hex(v('GetBlockAccessListsPacket')),
    )
    expect(decodeGetBlockAccessLists(v('GetBlockAccessListsPacket')).hashes).toEqual(hashes)
    const res = { requestId: 1111n, accessLists: [raw('80'), raw('c0')] }
    expect(hex(encodeBlockAccessLists(res))).toBe(hex(v('BlockAccessListPacket')))
    expect(decodeBlockAccessLists(v('BlockAccessListPacket'))).toEqual(res)
  })

  it('a BlockAccessLists entry that is a non-empty string is refused', () => {
    const bad = encodeBlockAccessLists({ requestId: 1n, accessLists: [raw('8101')] })
    expect(() => decodeBlockAccessLists(bad)).toThrow(EthError)
  })

  it('GetCells and Cells with a custody bitmap', () => {
    const req = { requestId: 1111n, hashes: hashes.slice(0, 1), mask }
    expect(hex(encodeGetCells(req))).toBe(hex(v('GetCellsRequestPacket')))
    expect(decodeGetCells(v('GetCellsRequestPacket'))).toEqual(req)
    const res = { requestId: 1111n, hashes: hashes.slice(0, 1), cells: [[cell]], mask }
    expect(hex(encodeCells(res))).toBe(hex(v('CellsPacket')))
    expect(decodeCells(v('CellsPacket'))).toEqual(res)
    expect(custodyCount(mask)).toBe(4)
  })

  it('a cell of the wrong size is refused', () => {
    const bad = encodeCells({ requestId: 1n, hashes, cells: [[cell.subarray(1)]], mask })
    expect(() => decodeCells(bad)).toThrow(EthError)
  })

  it('NewPooledTransactionHashes: eth/72 appends the mask, earlier versions do not', () => {
    const ann = { types: Uint8Array.of(0, 3), sizes: [100, 131300], hashes }
    const all = new Uint8Array(16).fill(0xff)
    expect(hex(encodeNewPooledTransactionHashes({ ...ann, mask: all }, 72))).toBe(
      hex(v('NewPooledTransactionHashesPacket72')),
    )
    expect(hex(encodeNewPooledTransactionHashes(ann, 71))).toBe(
      hex(v('NewPooledTransactionHashesPacket71')),
    )
    expect(decodeNewPooledTransactionHashes(v('NewPooledTransactionHashesPacket72'), 72)).toEqual({
      ...ann,
      mask: all,
    })
    // An eth/72 announcement without its mask is malformed.
    expect(() =>
      decodeNewPooledTransactionHashes(v('NewPooledTransactionHashesPacket71'), 72),
    ).toThrow(EthError)
  })

  it('Status of eth/72 has the eth/69 shape', () => {
    const status = {
      version: 72 as const,
      networkId: 1n,
      genesis: hashes[0] as Uint8Array,
      forkId: { hash: 0, next: 0n },
      earliestBlock: 0,
      latestBlock: 5,
      latestHash: hashes[1] as Uint8Array,
    }
    expect(hex(encodeStatus(status))).toBe(hex(v('StatusPacket72')))
    expect(decodeStatus(v('StatusPacket72'))).toEqual(status)
  })
})

describe('eth/70–72 message codes', () => {
  it("lengths are go-ethereum's protocolLengths", () => {
    expect(protocolLengths).toEqual({ 68: 17, 69: 18, 70: 18, 71: 20, 72: 22 })
  })

  it('block access lists from eth/71, cells from eth/72', () => {
    for (const code of [MsgCode.GetBlockAccessLists, MsgCode.BlockAccessLists]) {
      expect([69, 70, 71, 72].map((ver) => isValidCode(ver as 69, code))).toEqual([
        false,
        false,
        true,
        true,
      ])
    }
    for (const code of [MsgCode.GetCells, MsgCode.Cells]) {
      expect(isValidCode(71, code)).toBe(false)
      expect(isValidCode(72, code)).toBe(true)
    }
    expect(isValidCode(72, MsgCode.NewBlock)).toBe(false)
    expect(isValidCode(72, 0x16)).toBe(false)
  })
})
