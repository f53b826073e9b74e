import { encodeRlp } from '@x/core'
import { describe, expect, it } from 'vitest'
import {
  decodeHeartbeat,
  encodeHeartbeat,
  type HeartbeatRecord,
  heartbeatFromJson,
  heartbeatToJson,
  maxHeartbeatSize,
} from '../src/index.js'

const record: HeartbeatRecord = {
  version: 1,
  head: new Uint8Array(32).fill(0xab),
  height: 1234,
  nickname: 'alice',
  minerAddress: new Uint8Array(20).fill(0x11),
  nodeId: new Uint8Array(64).fill(0x22),
  clientVersion: 'x-devp2p/v0.1.0',
  peerCount: 7,
  timestamp: 1_700_000_000_000,
  period: 3_000,
}

function fields(r: HeartbeatRecord): (Uint8Array | string | number)[] {
  return [
    r.version,
    r.head,
    r.height,
    r.nickname,
    r.minerAddress,
    r.nodeId,
    r.clientVersion,
    r.peerCount,
    r.timestamp,
    r.period,
  ]
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return (e as { code?: string }).code
  }
  return undefined
}

describe('heartbeat record', () => {
  it('round-trips through RLP', () => {
    const enc = encodeHeartbeat(record)
    expect(enc).toEqual(encodeRlp(fields(record)))
    expect(decodeHeartbeat(enc)).toEqual(record)
  })

  it('tolerates a newer version with extra fields (EIP-8 style)', () => {
    const enc = encodeRlp([...fields({ ...record, version: 2 }), 'future', [1, 2]])
    expect(decodeHeartbeat(enc)).toEqual({ ...record, version: 2 })
  })

  it('prints as JSON and parses back', () => {
    const j = heartbeatToJson(record)
    expect(j).toMatchObject({
      head: `0x${'ab'.repeat(32)}`,
      minerAddress: `0x${'11'.repeat(20)}`,
      nodeId: '22'.repeat(64),
      height: 1234,
      nickname: 'alice',
    })
    expect(heartbeatFromJson(JSON.parse(JSON.stringify(j)))).toEqual(record)
  })

  it.each([
    ['garbage', Uint8Array.of(0xff, 0x01)],
    ['a byte string', encodeRlp('hello')],
    ['too few fields', encodeRlp(fields(record).slice(0, 9))],
    ['a short head', encodeRlp(fields({ ...record, head: new Uint8Array(31) }))],
    ['a long address', encodeRlp(fields({ ...record, minerAddress: new Uint8Array(21) }))],
    ['a short node ID', encodeRlp(fields({ ...record, nodeId: new Uint8Array(63) }))],
    ['version 0', encodeRlp(fields({ ...record, version: 0 }))],
    ['a list as height', encodeRlp([1, record.head, [1], ...fields(record).slice(3)])],
    [
      'a non-canonical height',
      encodeRlp([1, record.head, Uint8Array.of(0, 5), ...fields(record).slice(3)]),
    ],
    ['a long nickname', encodeRlp(fields({ ...record, nickname: 'n'.repeat(65) }))],
    ['an oversized message', encodeRlp([...fields(record), new Uint8Array(maxHeartbeatSize)])],
  ])('rejects %s with ERR_BAD_HEARTBEAT', (_, payload) => {
    expect(codeOf(() => decodeHeartbeat(payload))).toBe('ERR_BAD_HEARTBEAT')
  })

  it('refuses to encode an invalid record', () => {
    expect(codeOf(() => encodeHeartbeat({ ...record, height: -1 }))).toBe('ERR_BAD_HEARTBEAT')
    expect(codeOf(() => encodeHeartbeat({ ...record, head: new Uint8Array(3) }))).toBe(
      'ERR_BAD_HEARTBEAT',
    )
  })
})
