import { bytesToHex } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  compressNodeId,
  DiscoverError,
  isValidNodeId,
  isValidPrivateKey,
  Node,
  nodeIdFromPrivateKey,
  nodeIdFromPublicKey,
  nodeIdHash,
  parseNodeId,
} from '../src/index.js'
import { enr, hex, vectorKeys } from './fixtures.js'

describe('node identity', () => {
  it.each(vectorKeys)(
    'the node ID of the $name key is its 64-byte public key',
    ({ key, pub, hash }) => {
      const id = nodeIdFromPrivateKey(hex(key))
      expect(bytesToHex(id)).toBe(pub)
      if (hash) expect(bytesToHex(nodeIdHash(id))).toBe(hash)
    },
  )

  it('the EIP-778 example key has the record node ID', () => {
    expect(bytesToHex(nodeIdHash(nodeIdFromPrivateKey(hex(enr.private_key))))).toBe(enr.node_id)
  })

  it('accepts public keys in 64-, 65- and 33-byte forms', () => {
    const id = nodeIdFromPrivateKey(hex(enr.private_key))
    const withPrefix = new Uint8Array([4, ...id])
    expect(nodeIdFromPublicKey(id)).toEqual(id)
    expect(nodeIdFromPublicKey(withPrefix)).toEqual(id)
    expect(nodeIdFromPublicKey(compressNodeId(id))).toEqual(id)
    expect(bytesToHex(compressNodeId(id))).toBe(enr.decoded.pairs.secp256k1.raw_hex)
  })

  it('rejects points that are not on the curve', () => {
    const bad = new Uint8Array(64).fill(7)
    expect(isValidNodeId(bad)).toBe(false)
    expect(() => nodeIdFromPublicKey(bad)).toThrow(DiscoverError)
    expect(() => parseNodeId('00'.repeat(64))).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_NODE_ID' }),
    )
  })

  it('parseNodeId reads hex with or without 0x', () => {
    const { pub } = vectorKeys[0]!
    expect(bytesToHex(parseNodeId(pub))).toBe(pub)
    expect(bytesToHex(parseNodeId(`0x${pub.toUpperCase()}`))).toBe(pub)
  })

  it('Node caches its hash and normalises its IP', () => {
    const id = hex(vectorKeys[1]!.pub)
    const n = new Node({ id, ip: '::FFFF:127.0.0.1', udp: 30303, tcp: 30304 })
    expect(n.ip).toBe('127.0.0.1')
    expect(n.hash).toBe(n.hash)
    expect(bytesToHex(n.hash)).toBe(vectorKeys[1]!.hash)
    expect(n.withEndpoint({ udp: 1 }).udp).toBe(1)
    expect(n.equals(n.withEndpoint({}))).toBe(true)
    expect(() => new Node({ id, ip: '1.2.3.4', udp: 70000, tcp: 1 })).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_PORT' }),
    )
    expect(() => new Node({ id, ip: 'localhost', udp: 1, tcp: 1 })).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_IP' }),
    )
  })

  it('property: the hash is keccak256 of the ID for any key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        fc.pre(isValidPrivateKey(key))
        const id = nodeIdFromPrivateKey(key)
        expect(nodeIdFromPublicKey(compressNodeId(id))).toEqual(id)
      }),
      { numRuns: 25 },
    )
  })
})
