import { describe, expect, it } from 'vitest'
import { PacketError } from '../../src/errors.js'
import { decodePacket, PacketType } from '../../src/wire/index.js'
import { discv4Strict, hex } from '../fixtures.js'

const accepted = discv4Strict.packets.filter((p) => p.go_ethereum === 'accept')
const rejected = discv4Strict.packets.filter((p) => p.go_ethereum === 'reject')

describe('discv4 decoding is as strict as go-ethereum', () => {
  it('has fixtures on both sides', () => {
    expect(rejected.length).toBeGreaterThan(15)
    expect(accepted.length).toBeGreaterThan(2)
  })

  it.each(rejected.map((p) => [p.name, p] as const))('rejects %s', (_name, p) => {
    let error: unknown
    try {
      decodePacket(hex(p.hex))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(PacketError)
    expect(error).toMatchObject({ code: 'ERR_BAD_PACKET', field: p.field })
  })

  it.each(accepted.map((p) => [p.name, p] as const))('accepts %s', (_name, p) => {
    expect(decodePacket(hex(p.hex)).packet.type).toBe(p.packet_type)
  })

  it('reads enr-seq then keeps the extra top-level elements (EIP-8)', () => {
    const p = discv4Strict.packets.find((x) => x.name === 'ping_enr_seq_then_extra')!
    const { packet } = decodePacket(hex(p.hex))
    expect(packet.type === PacketType.Ping && packet.enrSeq).toBe(7n)
    expect(packet.rest?.length).toBe(2)
  })

  it("skips a neighbour whose IP is no address, as go-ethereum's nodeFromRPC does", () => {
    const p = discv4Strict.packets.find((x) => x.name === 'neighbors_node_ip_5_bytes')!
    const { packet } = decodePacket(hex(p.hex))
    expect(packet.type === PacketType.Neighbors && packet.nodes).toEqual([])
  })

  it('reads a 64-bit version (go-ethereum decodes it into a uint)', () => {
    const p = discv4Strict.packets.find((x) => x.name === 'ping_version_8_bytes')!
    const { packet } = decodePacket(hex(p.hex))
    expect(packet.type === PacketType.Ping && packet.version).toBe(2 ** 64)
  })
})
