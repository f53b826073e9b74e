import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { type CryptoBackend, createFastCrypto, encodeRlp, nobleCrypto } from '@x/core'
import { describe, expect, it } from 'vitest'
import {
  type AckMsg,
  type AuthMsg,
  deriveSecrets,
  eciesDecrypt,
  eciesEncrypt,
  type HandshakePacket,
  handleAck,
  handleAuth,
  makeAuth,
  RlpxError,
  readHandshakePacket,
  recoverInitiatorEphemeral,
} from '../../src/index.js'
import v from '../fixtures/rlpx-handshake.json' with { type: 'json' }

const h = hexToBytes
const keyA = h(v.keys.static_key_a)
const keyB = h(v.keys.static_key_b)
const pub = v.derived_public_keys
const msg = (name: string) => {
  const m = v.messages.find((x) => x.name === name)
  if (!m) throw new Error(`no vector ${name}`)
  return m
}

const backends: [string, () => Promise<CryptoBackend>][] = [
  ['noble', async () => nobleCrypto],
  ['fast', () => createFastCrypto()],
]

describe.each(backends)('RLPx handshake vectors (%s backend)', (_name, load) => {
  for (const name of ['auth1', 'auth2', 'auth3']) {
    it(`decodes ${name} with B's key`, async () => {
      const crypto = await load()
      const m = msg(name)
      const bytes = h(m.hex)
      const got = readHandshakePacket('auth', bytes, keyB, crypto) as HandshakePacket<AuthMsg>
      expect(got.packet.length).toBe(m.length_bytes)
      const d = got.msg
      expect(bytesToHex(d.signature)).toBe(m.expected_decoded.signature)
      expect(bytesToHex(d.initiatorPubkey)).toBe(pub.static_pub_a)
      expect(bytesToHex(d.initiatorNonce)).toBe(v.keys.nonce_a)
      expect(d.version).toBe(m.expected_decoded.version)
      expect(d.rest.map((r) => bytesToHex(encodeRlp(r)))).toEqual(m.expected_decoded.rest)
      expect(d.legacy).toBe(name === 'auth1')
      expect(bytesToHex(recoverInitiatorEphemeral(keyB, d, crypto))).toBe(pub.ephemeral_pub_a)
      // Byte by byte: incomplete input asks for more, never throws.
      expect(readHandshakePacket('auth', bytes.subarray(0, bytes.length - 1), keyB, crypto)).toBe(
        undefined,
      )
    })
  }

  for (const name of ['ack1', 'ack2', 'ack3']) {
    it(`decodes ${name} with A's key`, async () => {
      const crypto = await load()
      const m = msg(name)
      const got = readHandshakePacket('ack', h(m.hex), keyA, crypto) as HandshakePacket<AckMsg>
      expect(got.packet.length).toBe(m.length_bytes)
      expect(bytesToHex(got.msg.recipientEphemeralPubkey)).toBe(pub.ephemeral_pub_b)
      expect(bytesToHex(got.msg.recipientNonce)).toBe(v.keys.nonce_b)
      expect(got.msg.version).toBe(m.expected_decoded.version)
      expect(got.msg.rest.map((r) => bytesToHex(encodeRlp(r)))).toEqual(m.expected_decoded.rest)
    })
  }

  it("derives B's secrets and ingress MAC for (auth2, ack2)", async () => {
    const crypto = await load()
    const auth = h(msg('auth2').hex)
    const ack = h(msg('ack2').hex)
    const decoded = readHandshakePacket('auth', auth, keyB, crypto) as HandshakePacket<AuthMsg>
    const s = deriveSecrets(
      {
        initiator: false,
        ephemeralKey: h(v.keys.ephemeral_key_b),
        remoteEphemeralPubkey: recoverInitiatorEphemeral(keyB, decoded.msg, crypto),
        localNonce: h(v.keys.nonce_b),
        remoteNonce: decoded.msg.initiatorNonce,
        authPacket: auth,
        ackPacket: ack,
        remoteId: decoded.msg.initiatorPubkey,
      },
      crypto,
    )
    expect(bytesToHex(s.aesSecret)).toBe(v.secrets.aes_secret)
    expect(bytesToHex(s.macSecret)).toBe(v.secrets.mac_secret)
    const foo = new TextEncoder().encode('foo')
    expect(bytesToHex(s.ingressMac.update(foo).digest())).toBe(v.secrets.ingress_mac_foo)

    // A's view of the same pair: its egress MAC equals B's ingress MAC.
    const a = handleAck(
      {
        remoteId: h(pub.static_pub_b),
        ephemeralKey: h(v.keys.ephemeral_key_a),
        nonce: h(v.keys.nonce_a),
        authPacket: auth,
      },
      readHandshakePacket('ack', ack, keyA, crypto) as HandshakePacket<AckMsg>,
      crypto,
    )
    expect(bytesToHex(a.aesSecret)).toBe(v.secrets.aes_secret)
    expect(bytesToHex(a.egressMac.update(foo).digest())).toBe(v.secrets.ingress_mac_foo)
  })

  it('a full handshake in memory gives both sides matching secrets', async () => {
    const crypto = await load()
    const { state, packet: auth } = makeAuth(keyA, h(pub.static_pub_b), { crypto })
    expect(auth.length).toBeGreaterThan(2)
    expect((auth[0]! << 8) | auth[1]!).toBe(auth.length - 2) // EIP-8 size prefix
    const gotAuth = readHandshakePacket('auth', auth, keyB, crypto) as HandshakePacket<AuthMsg>
    expect(gotAuth.msg.version).toBe(4)
    const b = handleAuth(keyB, gotAuth, { crypto })
    const gotAck = readHandshakePacket('ack', b.packet, keyA, crypto) as HandshakePacket<AckMsg>
    const a = handleAck(state, gotAck, crypto)
    expect(bytesToHex(b.secrets.remoteId)).toBe(pub.static_pub_a)
    expect(a.aesSecret).toEqual(b.secrets.aesSecret)
    expect(a.macSecret).toEqual(b.secrets.macSecret)
    expect(a.egressMac.digest()).toEqual(b.secrets.ingressMac.digest())
    expect(b.secrets.egressMac.digest()).toEqual(a.ingressMac.digest())
  })
})

describe('ECIES', () => {
  it('round-trips with shared MAC data and rejects any flipped bit', () => {
    const plain = new TextEncoder().encode('hello ecies')
    const mac = new Uint8Array([1, 2])
    const c = eciesEncrypt(h(pub.static_pub_b), plain, mac)
    expect(eciesDecrypt(keyB, c, mac)).toEqual(plain)
    for (const at of [0, 10, 70, 90, c.length - 1]) {
      const bad = c.slice()
      bad[at]! ^= 1
      expect(() => eciesDecrypt(keyB, bad, mac)).toThrow(RlpxError)
    }
    expect(() => eciesDecrypt(keyB, c, new Uint8Array([1, 3]))).toThrow(/HMAC/)
    expect(() => eciesDecrypt(keyA, c, mac)).toThrow(RlpxError)
    expect(() => eciesDecrypt(keyB, c.subarray(0, 50), mac)).toThrow(/too short/)
  })

  it('rejects garbage auth with ERR_ECIES or ERR_BAD_HANDSHAKE, never anything else', () => {
    const garbage = [
      new Uint8Array(400).fill(0x01),
      new Uint8Array(307).fill(0x04),
      crypto.getRandomValues(new Uint8Array(500)),
      new Uint8Array([0x00, 0x10, ...new Uint8Array(16)]),
    ]
    for (const g of garbage) {
      try {
        readHandshakePacket('auth', g, keyB)
      } catch (err) {
        expect(err).toBeInstanceOf(RlpxError)
        expect(['ERR_ECIES', 'ERR_BAD_HANDSHAKE']).toContain((err as RlpxError).code)
      }
    }
  })
})
