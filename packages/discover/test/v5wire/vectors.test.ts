import {
  compressPublicKey,
  createFastCrypto,
  getCrypto,
  nobleCrypto,
  setCrypto,
  toHex,
} from '@x/core'
import { describe, expect, it } from 'vitest'
import { Enr } from '../../src/enr/index.js'
import { nodeIdFromPrivateKey, nodeIdHash } from '../../src/node.js'
import {
  decodePacket,
  decryptGcm,
  deriveKeys,
  ecdh,
  encodeHandshakePacket,
  encodeMessagePacket,
  encodeWhoareyouPacket,
  encryptGcm,
  type HandshakePacket,
  type MessagePacket,
  makeIdSignature,
  openMessage,
  verifyIdSignature,
} from '../../src/v5wire/index.js'
import vectors from '../fixtures/discv5-wire-vectors.json' with { type: 'json' }
import { hex } from '../fixtures.js'

/** Every vector of devp2p's discv5-wire-test-vectors.md. */
const keyA = hex(vectors.nodeAKey)
const keyB = hex(vectors.nodeBKey)
const idA = nodeIdHash(nodeIdFromPrivateKey(keyA))
const idB = nodeIdHash(nodeIdFromPrivateKey(keyB))
const [pingVec, whoareyouVec, handshakeVec, handshakeEnrVec] = vectors.packets as Record<
  string,
  string
>[]
const iv0 = new Uint8Array(16)

describe('discv5 wire vectors: cryptographic primitives', () => {
  it('node keys give the vectors node IDs', () => {
    expect(`0x${toHex(idA)}`).toBe(pingVec!['src-node-id'])
    expect(`0x${toHex(idB)}`).toBe(pingVec!['dest-node-id'])
  })

  it.each([
    ['noble', async () => nobleCrypto],
    ['fast', () => createFastCrypto()],
  ])('ECDH gives the 33-byte compressed shared secret (%s)', async (_n, make) => {
    const prev = getCrypto()
    setCrypto(await make())
    try {
      const v = vectors.ecdh
      const secret = ecdh(hex(v['public-key']), hex(v['secret-key']))
      expect(`0x${toHex(secret)}`).toBe(v['shared-secret'])
    } finally {
      setCrypto(prev)
    }
  })

  it('key derivation gives the initiator and recipient keys', () => {
    const v = vectors.keyDerivation
    const secret = ecdh(hex(v['dest-pubkey']), hex(v['ephemeral-key']))
    const k = deriveKeys(secret, hex(v['node-id-a']), hex(v['node-id-b']), hex(v['challenge-data']))
    expect(`0x${toHex(k.initiatorKey)}`).toBe(v['initiator-key'])
    expect(`0x${toHex(k.recipientKey)}`).toBe(v['recipient-key'])
  })

  it('ID nonce signing gives the id-signature, which verifies', () => {
    const v = vectors.idNonceSigning
    const key = hex(v['static-key'])
    const sig = makeIdSignature(
      key,
      hex(v['challenge-data']),
      hex(v['ephemeral-pubkey']),
      hex(v['node-id-B']),
    )
    expect(`0x${toHex(sig)}`).toBe(v['id-signature'])
    const pub = getCrypto().publicKey(key)
    const args = [
      hex(v['challenge-data']),
      hex(v['ephemeral-pubkey']),
      hex(v['node-id-B']),
    ] as const
    expect(verifyIdSignature(sig, pub, ...args)).toBe(true)
    const bad = sig.slice()
    bad[10]! ^= 1
    expect(verifyIdSignature(bad, pub, ...args)).toBe(false)
  })

  it('AES-GCM encrypts the plaintext to the ciphertext ‖ tag, and decrypts it back', () => {
    const v = vectors.encryption
    const args = [hex(v['encryption-key']), hex(v.nonce)] as const
    const ct = encryptGcm(...args, hex(v.pt), hex(v.ad))
    expect(`0x${toHex(ct)}`).toBe(v['message-ciphertext'])
    expect(toHex(decryptGcm(...args, ct, hex(v.ad)))).toBe(v.pt.slice(2))
    ct[0]! ^= 1
    expect(() => decryptGcm(...args, ct, hex(v.ad))).toThrow(
      expect.objectContaining({ code: 'ERR_V5_DECRYPT' }),
    )
  })
})

describe('discv5 wire vectors: packets (node B decodes, node A encodes)', () => {
  it('ping message packet (flag 0)', () => {
    const v = pingVec!
    const p = decodePacket(idB, hex(v.packet!)) as MessagePacket
    expect(p.flag).toBe(0)
    expect(`0x${toHex(p.srcId)}`).toBe(v['src-node-id'])
    expect(`0x${toHex(p.nonce)}`).toBe(v.nonce)
    const m = openMessage(hex(v['read-key']!), p)
    expect(m).toEqual({ type: 'ping', reqId: hex(v['ping.req-id']!), enrSeq: 2n })
    const encoded = encodeMessagePacket({
      destId: idB,
      srcId: idA,
      iv: iv0,
      nonce: hex(v.nonce!),
      key: hex(v['read-key']!),
      message: m,
    })
    expect(toHex(encoded)).toBe(v.packet!.slice(2))
  })

  it('WHOAREYOU packet (flag 1)', () => {
    const v = whoareyouVec!
    const p = decodePacket(idB, hex(v.packet!))
    expect(p.flag).toBe(1)
    if (p.flag !== 1) return
    expect(`0x${toHex(p.nonce)}`).toBe(v['whoareyou.request-nonce'])
    expect(`0x${toHex(p.idNonce)}`).toBe(v['whoareyou.id-nonce'])
    expect(p.enrSeq).toBe(0n)
    expect(`0x${toHex(p.challengeData)}`).toBe(v['whoareyou.challenge-data'])
    const encoded = encodeWhoareyouPacket({
      destId: idB,
      iv: iv0,
      nonce: p.nonce,
      idNonce: p.idNonce,
      enrSeq: 0n,
    })
    expect(toHex(encoded.packet)).toBe(v.packet!.slice(2))
    expect(`0x${toHex(encoded.challengeData)}`).toBe(v['whoareyou.challenge-data'])
  })

  it.each([
    ['ping handshake packet (flag 2)', handshakeVec!, false],
    ['ping handshake packet with ENR (flag 2)', handshakeEnrVec!, true],
  ])('%s', (_name, v, withRecord) => {
    const challenge = hex(v['whoareyou.challenge-data']!)
    const p = decodePacket(idB, hex(v.packet!)) as HandshakePacket
    expect(p.flag).toBe(2)
    expect(`0x${toHex(p.srcId)}`).toBe(v['src-node-id'])
    expect(`0x${toHex(p.ephPubkey)}`).toBe(v['ephemeral-pubkey'])
    // B verifies A's id-signature and derives the keys from its static key and A's ephemeral key.
    const pubA = getCrypto().publicKey(keyA)
    expect(verifyIdSignature(p.signature, pubA, challenge, p.ephPubkey, idB)).toBe(true)
    const keys = deriveKeys(ecdh(p.ephPubkey, keyB), idA, idB, challenge)
    expect(`0x${toHex(keys.initiatorKey)}`).toBe(v['read-key'])
    const m = openMessage(keys.initiatorKey, p)
    expect(m).toEqual({ type: 'ping', reqId: hex(v['ping.req-id']!), enrSeq: 1n })
    let record: Uint8Array | undefined
    if (withRecord) {
      expect(p.record).toBeDefined()
      const enr = Enr.decode(p.record!)
      expect(toHex(nodeIdHash(enr.nodeId))).toBe(toHex(idA))
      expect(enr.seq).toBe(1n)
      record = p.record
    } else {
      expect(p.record).toBeUndefined()
    }
    // A encodes the same packet from the same inputs (the ephemeral key is the vector's).
    const eph = hex(v['ephemeral-key']!)
    const ephPubkey = compressPublicKey(getCrypto().publicKey(eph))
    expect(`0x${toHex(ephPubkey)}`).toBe(v['ephemeral-pubkey'])
    const a = deriveKeys(ecdh(getCrypto().publicKey(keyB), eph), idA, idB, challenge)
    const encoded = encodeHandshakePacket({
      destId: idB,
      srcId: idA,
      iv: iv0,
      nonce: hex(v.nonce!),
      key: a.initiatorKey,
      message: m,
      signature: makeIdSignature(keyA, challenge, ephPubkey, idB),
      ephPubkey,
      record,
    })
    expect(toHex(encoded)).toBe(v.packet!.slice(2))
  })
})
