import { bytesToHex } from '@noble/hashes/utils.js'
import { createFastCrypto, getCrypto, nobleCrypto, setCrypto } from '@x/core'
import { describe, expect, it } from 'vitest'
import {
  chunkNeighbors,
  decodePacket,
  encodePacket,
  type NeighborRecord,
  type Packet,
  PacketType,
  wireConstants,
} from '../../src/wire/index.js'
import { discv4, discv4Strict, hex } from '../fixtures.js'

const key = hex(discv4.private_key)
const signer = discv4.signer_public_key.hex

type Expected = Record<string, unknown>
const vector = (name: string) => {
  const p = discv4.packets.find((x) => x.name === name)
  if (!p) throw new Error(name)
  const exp = (
    'expected_decoded' in p ? p.expected_decoded : p.expected_decoded_pre_eip868
  ) as Expected
  return { bytes: hex(p.hex), type: p.packet_type, exp }
}
/** go-ethereum v1.17.10's verdict on each EIP-8 vector (run against its v4wire.Decode). */
const geth: Record<string, string> = discv4Strict.eip8_vectors_under_go_ethereum
const restHex = (rest: Uint8Array[] | undefined) => (rest ?? []).map(bytesToHex)

describe.each([
  ['noble', async () => nobleCrypto],
  ['fast', () => createFastCrypto()],
])('discv4 packet vectors (%s)', (_name, make) => {
  it('decode every vector go-ethereum accepts to the listed fields, reject the others', async () => {
    const prev = getCrypto()
    setCrypto(await make())
    try {
      for (const p of discv4.packets) {
        const verdict = geth[p.name]
        expect(verdict, p.name).toBeDefined()
        if (verdict !== 'accept') {
          // Pre-EIP-868 vectors: the list where the optional enr-seq now is fails, as in geth.
          expect(() => decodePacket(hex(p.hex)), p.name).toThrow(
            expect.objectContaining({ code: 'ERR_BAD_PACKET', field: 'enr-seq' }),
          )
          continue
        }
        const { bytes, type, exp } = vector(p.name)
        const d = decodePacket(bytes)
        expect(bytesToHex(d.fromId)).toBe(signer)
        expect(d.packet.type).toBe(type)
        expect(bytesToHex(d.hash)).toBe(p.hex.slice(0, 64))
        const pk = d.packet
        expect('expiration' in pk && pk.expiration).toBe(exp.expiration)
        expect(restHex(pk.rest)).toEqual(exp.rest)
        if (pk.type === PacketType.Ping) {
          expect(pk.version).toBe(exp.version)
          expect(pk.from).toEqual(exp.from)
          expect(pk.to).toEqual(exp.to)
          const seq = exp.enr_seq
          expect(pk.enrSeq).toBe(
            seq === null || seq === undefined ? undefined : BigInt(seq as number),
          )
        } else if (pk.type === PacketType.Pong) {
          throw new Error('no pong vector is accepted')
        } else if (pk.type === PacketType.FindNode) {
          expect(bytesToHex(pk.target)).toBe(exp.target)
        } else if (pk.type === PacketType.Neighbors) {
          expect(pk.nodes.map((n) => ({ ...n, id: bytesToHex(n.id) }))).toEqual(exp.nodes)
        } else {
          throw new Error('unexpected type')
        }
      }
    } finally {
      setCrypto(prev)
    }
  })
})

const ep = { ip: '127.0.0.1', udp: 30303, tcp: 30304 }
const samples: Packet[] = [
  {
    type: PacketType.Ping,
    version: 4,
    from: ep,
    to: { ip: '::1', udp: 1, tcp: 0 },
    expiration: 1_700_000_020,
    enrSeq: 7n,
  },
  { type: PacketType.Ping, version: 4, from: ep, to: ep, expiration: 1_700_000_020 },
  {
    type: PacketType.Pong,
    to: ep,
    pingHash: new Uint8Array(32).fill(9),
    expiration: 1_700_000_020,
    enrSeq: 1n,
  },
  { type: PacketType.FindNode, target: new Uint8Array(64).fill(3), expiration: 1_700_000_020 },
  { type: PacketType.ENRRequest, expiration: 1_700_000_020 },
  { type: PacketType.ENRResponse, requestHash: new Uint8Array(32).fill(1), record: hex('c20102') },
]

describe('discv4 packet round trip', () => {
  it.each(samples.map((s) => [PacketType && s.type, s] as const))('type %i', (_t, s) => {
    const { bytes, hash } = encodePacket(s, key)
    const d = decodePacket(bytes)
    expect(d.hash).toEqual(hash)
    expect(bytesToHex(d.fromId)).toBe(signer)
    expect({ ...d.packet, rest: undefined }).toEqual({ ...s, rest: undefined })
  })

  it('reads expiration as a signed 64-bit value (2^64 − t is in the past)', () => {
    const past = { type: PacketType.ENRRequest, expiration: -1_700_000_020 } as const
    const d = decodePacket(encodePacket(past, key).bytes)
    expect(d.packet.type === PacketType.ENRRequest && d.packet.expiration).toBe(-1_700_000_020)
  })

  it('fits 12 IPv6 neighbors in one packet and splits larger sets', () => {
    const nodes: NeighborRecord[] = Array.from({ length: 12 }, (_, i) => ({
      ip: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0',
      udp: 65535,
      tcp: 65535,
      id: new Uint8Array(64).fill(i + 0xf0),
    }))
    const { bytes } = encodePacket({ type: PacketType.Neighbors, nodes, expiration: 2 ** 40 }, key)
    expect(bytes.length).toBeLessThanOrEqual(wireConstants.maxPacketSize)
    expect(chunkNeighbors([]).length).toBe(1)
    expect(chunkNeighbors(new Array(16).fill(0)).map((c) => c.length)).toEqual([12, 4])
  })
})

describe('discv4 packet errors', () => {
  const good = encodePacket(samples[0]!, key).bytes
  const code = (b: Uint8Array) => {
    try {
      decodePacket(b)
      return 'ok'
    } catch (e) {
      return (e as { code: string }).code
    }
  }
  const rehash = (b: Uint8Array) => {
    b.set(getCrypto().keccak256(b.subarray(32)), 0)
    return b
  }

  it('types every failure', () => {
    expect(code(good.subarray(0, 98))).toBe('ERR_PACKET_TOO_SMALL')
    expect(code(new Uint8Array(1281))).toBe('ERR_PACKET_TOO_LARGE')
    const badHash = good.slice()
    badHash[0]! ^= 1
    expect(code(badHash)).toBe('ERR_BAD_HASH')
    const badV = good.slice()
    badV[96] = 5
    expect(code(rehash(badV))).toBe('ERR_INVALID_SIGNATURE')
    const zeroSig = good.slice()
    zeroSig.fill(0, 32, 96)
    expect(code(rehash(zeroSig))).toBe('ERR_INVALID_SIGNATURE')
    const unknown = encodePacket(samples[4]!, key).bytes.slice()
    unknown[97] = 9
    expect(code(rehash(unknown))).not.toBe('ok')
    const badRlp = good.slice()
    badRlp[98] = 0xff
    expect(['ERR_BAD_PACKET', 'ERR_INVALID_SIGNATURE']).toContain(code(rehash(badRlp)))
  })

  it('rejects unknown types and bad RLP with the right code when signed', () => {
    const sign = (type: number, data: Uint8Array) => {
      const c = getCrypto()
      const b = new Uint8Array(98 + data.length)
      b[97] = type
      b.set(data, 98)
      b.set(c.sign(c.keccak256(b.subarray(97)), key), 32)
      return rehash(b)
    }
    expect(code(sign(9, hex('c0')))).toBe('ERR_UNKNOWN_PACKET_TYPE')
    expect(code(sign(1, hex('ff')))).toBe('ERR_BAD_PACKET')
    expect(code(sign(3, hex('c20102')))).toBe('ERR_BAD_PACKET')
  })
})
