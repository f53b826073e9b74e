import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import {
  DisconnectReason,
  decodeDisconnect,
  decodeHello,
  encodeDisconnect,
  encodeHello,
  HelloError,
  maxHelloSize,
} from '../src/index.js'
import vector from './fixtures/devp2p-hello.json' with { type: 'json' }

describe('hello', () => {
  it('decodes the EIP-8 hello vector, ignoring its extra list elements', () => {
    const h = decodeHello(hexToBytes(vector.hex))
    const d = vector.decoded_by_collector
    expect(h.version).toBe(d.p2p_version)
    expect(h.clientId).toBe(d.client_id)
    expect(h.caps.map((c) => [c.name, c.version])).toEqual(d.capabilities)
    expect(h.listenPort).toBe(d.listen_port)
    expect(bytesToHex(h.id)).toBe(d.node_id)
  })

  it('round-trips', () => {
    const h = {
      version: 5,
      clientId: 'x/v0.1.0',
      caps: [
        { name: 'eth', version: 68 },
        { name: 'eth', version: 69 },
      ],
      listenPort: 30303,
      id: hexToBytes(vector.decoded_by_collector.node_id),
    }
    expect(decodeHello(encodeHello(h))).toEqual(h)
  })

  it('rejects malformed and oversized hellos with HelloError', () => {
    const bad = ['c0', 'c3010203', 'f84f05', '80']
    for (const hex of bad) expect(() => decodeHello(hexToBytes(hex)), hex).toThrow(HelloError)
    const wrongId = encodeHello({
      version: 5,
      clientId: '',
      caps: [],
      listenPort: 0,
      id: new Uint8Array(63),
    })
    expect(() => decodeHello(wrongId)).toThrowError(
      expect.objectContaining({ code: 'ERR_BAD_HELLO' }),
    )
    expect(() => decodeHello(new Uint8Array(maxHelloSize + 1))).toThrow(/exceeds/)
  })
})

describe('disconnect', () => {
  it('encodes [reason] and decodes list, bare integer and empty forms', () => {
    expect(bytesToHex(encodeDisconnect(DisconnectReason.TooManyPeers))).toBe('c104')
    expect(decodeDisconnect(hexToBytes('c104'))).toBe(DisconnectReason.TooManyPeers)
    expect(decodeDisconnect(hexToBytes('04'))).toBe(DisconnectReason.TooManyPeers)
    expect(decodeDisconnect(hexToBytes('c180'))).toBe(DisconnectReason.Requested)
    expect(decodeDisconnect(hexToBytes('c0'))).toBe(DisconnectReason.Requested)
    expect(decodeDisconnect(new Uint8Array())).toBe(DisconnectReason.Requested)
    expect(decodeDisconnect(hexToBytes('c110'))).toBe(DisconnectReason.SubprotocolError)
  })

  it('reads garbage and unknown reasons as breach of protocol, without throwing', () => {
    expect(decodeDisconnect(hexToBytes('ff'))).toBe(DisconnectReason.BreachOfProtocol)
    expect(decodeDisconnect(hexToBytes('c17f'))).toBe(DisconnectReason.BreachOfProtocol)
  })
})
