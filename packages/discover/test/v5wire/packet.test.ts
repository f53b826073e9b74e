import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  decodeMessage,
  decodePacket,
  encodeMessage,
  encodeMessagePacket,
  encodeRandomPacket,
  encodeWhoareyouPacket,
  type Message,
  openMessage,
  v5wireConstants,
} from '../../src/v5wire/index.js'

const destId = randomBytes(32)
const srcId = randomBytes(32)
const key = randomBytes(16)
const code = (c: string) => expect.objectContaining({ code: c })

describe('discv5 messages', () => {
  const messages: Message[] = [
    { type: 'ping', reqId: Uint8Array.of(1, 2), enrSeq: 7n },
    { type: 'pong', reqId: Uint8Array.of(1), enrSeq: 2n ** 63n, ip: '10.0.0.1', port: 30303 },
    { type: 'pong', reqId: Uint8Array.of(1), enrSeq: 0n, ip: '2001:db8::1', port: 1 },
    { type: 'findnode', reqId: new Uint8Array(8), distances: [256, 255, 0] },
    { type: 'nodes', reqId: Uint8Array.of(9), total: 2, records: [Uint8Array.of(0xc1, 0x80)] },
    {
      type: 'talkreq',
      reqId: Uint8Array.of(3),
      protocol: Uint8Array.of(0x61),
      request: new Uint8Array(randomBytes(40)),
    },
    { type: 'talkresp', reqId: Uint8Array.of(3), response: new Uint8Array(0) },
  ]
  it.each(messages.map((m) => [m.type, m] as const))('%s round-trips', (_t, m) => {
    expect(decodeMessage(encodeMessage(m))).toEqual(m)
  })

  it('rejects a request-id over 8 bytes, an unknown type, a distance over 256, junk RLP', () => {
    const long = encodeMessage({ type: 'ping', reqId: new Uint8Array(9), enrSeq: 1n })
    expect(() => decodeMessage(long)).toThrow(code('ERR_V5_BAD_REQUEST_ID'))
    expect(() => decodeMessage(Uint8Array.of(0x09, 0xc0))).toThrow(code('ERR_V5_UNKNOWN_MESSAGE'))
    const far = encodeMessage({ type: 'findnode', reqId: Uint8Array.of(1), distances: [257] })
    expect(() => decodeMessage(far)).toThrow(code('ERR_V5_BAD_MESSAGE'))
    expect(() => decodeMessage(Uint8Array.of(0x01, 0xff))).toThrow(code('ERR_V5_BAD_MESSAGE'))
    expect(() => decodeMessage(new Uint8Array(0))).toThrow(code('ERR_V5_BAD_MESSAGE'))
    expect(() => decodeMessage(Uint8Array.of(0x04, 0xc3, 0x01, 0x01, 0x01))).toThrow(
      code('ERR_V5_BAD_MESSAGE'),
    )
  })
})

describe('discv5 packets: bad input', () => {
  const ping: Message = { type: 'ping', reqId: Uint8Array.of(1), enrSeq: 1n }
  const good = () =>
    encodeMessagePacket({
      destId,
      srcId,
      iv: randomBytes(16),
      nonce: randomBytes(12),
      key,
      message: ping,
    })

  it('round-trips a message packet and fails to open it with another key', () => {
    const p = decodePacket(destId, good())
    if (p.flag !== 0) throw new Error('flag')
    expect(openMessage(key, p)).toEqual(ping)
    expect(() => openMessage(randomBytes(16), p)).toThrow(code('ERR_V5_DECRYPT'))
  })

  it('rejects short, long, foreign and mis-sized packets with typed errors', () => {
    expect(() => decodePacket(destId, new Uint8Array(62))).toThrow(code('ERR_V5_TOO_SMALL'))
    expect(() => decodePacket(destId, new Uint8Array(1281))).toThrow(code('ERR_V5_TOO_LARGE'))
    // Sent to another node: its masking key is not ours.
    expect(() => decodePacket(randomBytes(32), good())).toThrow(code('ERR_V5_BAD_PROTOCOL_ID'))
    expect(() => decodePacket(destId, randomBytes(200))).toThrow(code('ERR_V5_BAD_PROTOCOL_ID'))
    // A WHOAREYOU is only 63 bytes: a message packet of that size is below the minimum.
    const short = encodeRandomPacket({
      destId,
      srcId,
      iv: randomBytes(16),
      nonce: randomBytes(12),
      random: new Uint8Array(0),
    })
    expect(() => decodePacket(destId, concat(short, new Uint8Array(8)))).toThrow(
      code('ERR_V5_TOO_SMALL'),
    )
    // A WHOAREYOU with trailing bytes declares 24 bytes of authdata, so it still decodes.
    const w = encodeWhoareyouPacket({
      destId,
      iv: randomBytes(16),
      nonce: randomBytes(12),
      idNonce: randomBytes(16),
      enrSeq: 5n,
    })
    const p = decodePacket(destId, w.packet)
    expect(p.flag === 1 && p.enrSeq).toBe(5n)
    expect(w.packet.length).toBe(v5wireConstants.minPacketSize)
  })

  it('never throws anything but a typed error on random bytes after a valid static header', () => {
    for (let i = 0; i < 300; i++) {
      const base = good()
      const junk = randomBytes(Math.floor(Math.random() * 200))
      const data = concat(base.subarray(0, 39 + (i % 40)), junk)
      try {
        const p = decodePacket(destId, data)
        if (p.flag !== 1) openMessage(key, p)
      } catch (e) {
        expect((e as { code?: string }).code).toMatch(/^ERR_/)
      }
    }
  })
})

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
