import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EnodeError, formatEnode, Node, parseEnode } from '../src/index.js'
import { hex, vectorKeys } from './fixtures.js'

const idHex = vectorKeys[1]!.pub
const id = hex(idHex)

describe('enode URLs', () => {
  it('parses IPv4 with and without discport', () => {
    const n = parseEnode(`enode://${idHex}@10.3.58.6:30303?discport=30301`)
    expect(n.idHex).toBe(idHex)
    expect([n.ip, n.tcp, n.udp]).toEqual(['10.3.58.6', 30303, 30301])
    const m = parseEnode(`enode://${idHex}@127.0.0.1:30303`)
    expect([m.tcp, m.udp]).toEqual([30303, 30303])
  })

  it('parses bracketed IPv6 and formats it back in brackets', () => {
    const n = parseEnode(`enode://${idHex}@[::1]:30303`)
    expect(n.ip).toBe('::1')
    expect(formatEnode(n)).toBe(`enode://${idHex}@[::1]:30303`)
    const full = parseEnode(`enode://${idHex}@[2001:DB8:0:0:0:0:0:1]:1?discport=2`)
    expect(formatEnode(full)).toBe(`enode://${idHex}@[2001:db8::1]:1?discport=2`)
  })

  it('accepts an upper-case scheme and ID', () => {
    expect(parseEnode(`ENODE://${idHex.toUpperCase()}@127.0.0.1:1`).idHex).toBe(idHex)
  })

  it('formats discport only when it differs', () => {
    const n = new Node({ id, ip: '127.0.0.1', udp: 30301, tcp: 30303 })
    expect(formatEnode(n)).toBe(`enode://${idHex}@127.0.0.1:30303?discport=30301`)
    expect(formatEnode(n.withEndpoint({ udp: 30303 }))).toBe(`enode://${idHex}@127.0.0.1:30303`)
  })

  const bad: [string, string][] = [
    ['http://x@1.2.3.4:1', 'ERR_ENODE_SCHEME'],
    [`${idHex}@1.2.3.4:1`, 'ERR_ENODE_SCHEME'],
    [`enode://${idHex}`, 'ERR_ENODE_MISSING_AT'],
    [`enode://${'zz'.repeat(64)}@1.2.3.4:1`, 'ERR_ENODE_BAD_HEX'],
    [`enode://${idHex.slice(2)}@1.2.3.4:1`, 'ERR_ENODE_BAD_ID_LENGTH'],
    [`enode://${idHex}00@1.2.3.4:1`, 'ERR_ENODE_BAD_ID_LENGTH'],
    [`enode://${'07'.repeat(64)}@1.2.3.4:1`, 'ERR_ENODE_BAD_KEY'],
    [`enode://${idHex}@1.2.3.4`, 'ERR_ENODE_BAD_PORT'],
    [`enode://${idHex}@1.2.3.4:`, 'ERR_ENODE_BAD_PORT'],
    [`enode://${idHex}@1.2.3.4:65536`, 'ERR_ENODE_BAD_PORT'],
    [`enode://${idHex}@1.2.3.4:-1`, 'ERR_ENODE_BAD_PORT'],
    [`enode://${idHex}@1.2.3.4:0x10`, 'ERR_ENODE_BAD_PORT'],
    [`enode://${idHex}@[::1]`, 'ERR_ENODE_BAD_PORT'],
    [`enode://${idHex}@[::1:30303`, 'ERR_ENODE_BAD_HOST'],
    [`enode://${idHex}@::1:30303`, 'ERR_ENODE_BAD_HOST'],
    [`enode://${idHex}@example.org:30303`, 'ERR_ENODE_BAD_HOST'],
    [`enode://${idHex}@1.2.3.256:30303`, 'ERR_ENODE_BAD_HOST'],
    [`enode://${idHex}@1.2.3.4:30303?discport=99999`, 'ERR_ENODE_BAD_DISCPORT'],
    [`enode://${idHex}@1.2.3.4:30303?discport=`, 'ERR_ENODE_BAD_DISCPORT'],
    [`enode://${idHex}@1.2.3.4:30303?foo=1`, 'ERR_ENODE_BAD_QUERY'],
  ]
  it.each(bad)('rejects %s with %s', (url, code) => {
    expect(() => parseEnode(url)).toThrowError(
      expect.objectContaining({ code, name: 'EnodeError' }),
    )
    try {
      parseEnode(url)
    } catch (err) {
      expect(err).toBeInstanceOf(EnodeError)
    }
  })

  it('property: format ∘ parse round-trips any endpoint', () => {
    const ip = fc.oneof(fc.ipV4(), fc.ipV6())
    const port = fc.integer({ min: 0, max: 65535 })
    fc.assert(
      fc.property(ip, port, port, (addr, tcp, udp) => {
        const n = new Node({ id, ip: addr, tcp, udp })
        const url = formatEnode(n)
        const back = parseEnode(url)
        expect(back.equals(n)).toBe(true)
        expect(formatEnode(back)).toBe(url)
      }),
      { numRuns: 300 },
    )
  })
})
