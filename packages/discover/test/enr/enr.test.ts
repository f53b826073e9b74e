import { bytesToHex } from '@noble/hashes/utils.js'
import { createFastCrypto, encodeRlp, getCrypto, nobleCrypto, setCrypto } from '@x/core'
import { describe, expect, it } from 'vitest'
import { Enr } from '../../src/enr/index.js'
import { nodeIdHash } from '../../src/index.js'
import { hex, enr as vector } from '../fixtures.js'

const key = hex(vector.private_key)

describe('ENR (EIP-778)', () => {
  it('decodes the EIP-778 example and re-encodes it exactly', () => {
    const r = Enr.fromText(vector.text)
    expect(r.seq).toBe(1n)
    expect(bytesToHex(r.encode())).toBe(vector.rlp_hex)
    expect(r.toText()).toBe(vector.text)
    expect(r.ip).toBe('127.0.0.1')
    expect(r.udp).toBe(30303)
    expect(r.tcp).toBeUndefined()
    expect(bytesToHex(nodeIdHash(r.nodeId))).toBe(vector.node_id)
    const n = r.toNode()
    expect([n?.ip, n?.udp, n?.tcp]).toEqual(['127.0.0.1', 30303, 0])
  })

  it.each([
    ['noble', async () => nobleCrypto],
    ['fast', () => createFastCrypto()],
  ])('signs the example record byte for byte (%s, RFC 6979)', async (_n, make) => {
    const prev = getCrypto()
    setCrypto(await make())
    try {
      const r = Enr.create({ privateKey: key, seq: 1n, ip: '127.0.0.1', udp: 30303 })
      expect(r.toText()).toBe(vector.text)
    } finally {
      setCrypto(prev)
    }
  })

  it('puts IPv6 endpoints under ip6/udp6/tcp6 and keeps keys sorted', () => {
    const r = Enr.create({
      privateKey: key,
      seq: 5n,
      ip: '::1',
      udp: 1,
      tcp: 2,
      entries: { eth: [[new Uint8Array(4), 0]] },
    })
    expect([...r.entries.keys()]).toEqual(['eth', 'id', 'ip6', 'secp256k1', 'tcp6', 'udp6'])
    expect(r.toNode()?.ip).toBe('::1')
    expect(Enr.decode(r.encode()).toText()).toBe(r.toText())
  })

  const codeOf = (f: () => unknown) => {
    try {
      f()
      return 'ok'
    } catch (e) {
      return (e as { code: string }).code
    }
  }

  it('rejects tampered, unsorted, oversized and malformed records with typed errors', () => {
    const raw = hex(vector.rlp_hex)
    const tampered = raw.slice()
    tampered[tampered.length - 1]! ^= 1
    expect(codeOf(() => Enr.decode(tampered))).toBe('ERR_ENR_BAD_SIGNATURE')
    const sig = new Uint8Array(64).fill(1)
    expect(codeOf(() => Enr.decode(encodeRlp([sig, 1, 'id', 'v4', 'a', 1])))).toBe(
      'ERR_ENR_UNSORTED_KEYS',
    )
    expect(codeOf(() => Enr.decode(encodeRlp([sig, 1, 'id', 'v5'])))).toBe('ERR_ENR_BAD_SCHEME')
    expect(codeOf(() => Enr.decode(encodeRlp([sig, 1, 'id'])))).toBe('ERR_ENR_BAD_ENTRY')
    expect(codeOf(() => Enr.decode(new Uint8Array(301)))).toBe('ERR_ENR_TOO_BIG')
    expect(codeOf(() => Enr.fromText('enode://x'))).toBe('ERR_ENR_BAD_TEXT')
    expect(codeOf(() => Enr.fromText('enr:***'))).toBe('ERR_ENR_BAD_TEXT')
    expect(codeOf(() => Enr.fromText('enr:wA'))).not.toBe('ok')
    expect(
      codeOf(() => Enr.create({ privateKey: key, seq: 1n, entries: { x: new Uint8Array(300) } })),
    ).toBe('ERR_ENR_TOO_BIG')
  })
})
