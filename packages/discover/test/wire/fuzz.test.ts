import { started } from '@x/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { generatePrivateKey, PacketError } from '../../src/index.js'
import { MemoryNetwork } from '../../src/testing/index.js'
import { UDPv4 } from '../../src/udp/index.js'
import { decodePacket, encodePacket, type Packet, PacketType } from '../../src/wire/index.js'
import { discv4, hex } from '../fixtures.js'

const key = hex(discv4.private_key)
const vectors = discv4.packets.map((p) => hex(p.hex))

describe('discv4 decoding never throws anything but PacketError', () => {
  it('on random bytes and mutated vectors', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 1400 }),
          fc
            .tuple(fc.constantFrom(...vectors), fc.nat(), fc.integer({ min: 1, max: 255 }))
            .map(([v, i, x]) => {
              const b = v.slice()
              b[i % b.length]! ^= x
              return b
            }),
        ),
        (b) => {
          try {
            decodePacket(b)
          } catch (e) {
            expect(e).toBeInstanceOf(PacketError)
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('round-trips FindNode and Neighbors with arbitrary fields', () => {
    const packet: fc.Arbitrary<Packet> = fc.oneof(
      fc.record({
        type: fc.constant(PacketType.FindNode),
        target: fc.uint8Array({ minLength: 64, maxLength: 64 }),
        expiration: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      }),
      fc.record({
        type: fc.constant(PacketType.Neighbors),
        nodes: fc.array(
          fc.record({
            ip: fc.ipV4(),
            udp: fc.nat(65535),
            tcp: fc.nat(65535),
            id: fc.uint8Array({ minLength: 64, maxLength: 64 }),
          }),
          { maxLength: 12 },
        ),
        expiration: fc.nat(2 ** 40),
      }),
    )
    fc.assert(
      fc.property(packet, (p) => {
        const d = decodePacket(encodePacket(p, key).bytes)
        expect({ ...d.packet, rest: undefined }).toEqual({ ...p, rest: undefined })
      }),
      { numRuns: 20 },
    )
  })

  it('a service fed garbage keeps answering', async () => {
    const net = new MemoryNetwork()
    const s = await started(
      new UDPv4({
        privateKey: generatePrivateKey(),
        transport: net.bind(),
        ntp: false,
      }),
    )
    // From another IP than the client: junk from the client's own IP would spend its budget.
    const junk = net.bind({ ip: '127.0.0.2' })
    for (let i = 0; i < 200; i++) {
      const v = vectors[i % vectors.length]!.slice()
      v[(i * 7) % v.length]! ^= 0xff
      junk.send(v, { ip: s.self.ip, port: s.self.udp })
    }
    const c = await started(
      new UDPv4({
        privateKey: generatePrivateKey(),
        transport: net.bind(),
        ntp: false,
      }),
    )
    await expect(c.ping(s.self)).resolves.toBeDefined()
    expect(s.stats.received).toBeGreaterThanOrEqual(200)
    await Promise.all([s.stop(), c.stop(), junk.close()])
  })
})
