import { describe, expect, it } from 'vitest'
import {
  CoreError,
  checkRelayIp,
  isLan,
  isLoopback,
  isSpecialNetwork,
  Netlist,
} from '../src/index.js'

describe('address classes (go-ethereum netutil)', () => {
  it('classifies addresses', () => {
    expect(['127.0.0.1', '127.5.5.5', '::1'].map(isLoopback)).toEqual([true, true, true])
    expect(
      [
        '10.1.2.3',
        '172.16.0.1',
        '172.31.255.255',
        '192.168.1.1',
        '169.254.1.1',
        'fe80::1',
        'fd00::1',
        '127.0.0.1',
        '::ffff:192.168.0.1',
      ].every(isLan),
    ).toBe(true)
    expect(['172.32.0.1', '8.8.8.8', '2a00::1', '2001:db8::1'].some(isLan)).toBe(false)
    expect(
      [
        '0.0.0.0',
        '::',
        '224.0.0.1',
        '255.255.255.255',
        '192.0.2.1',
        '198.51.100.7',
        '203.0.113.9',
        '2001:db8::1',
        'ff02::1',
        '2001:1::1',
        '2001:10::5',
      ].every(isSpecialNetwork),
    ).toBe(true)
    expect(['8.8.8.8', '1.1.1.1', '2a00:1450::1'].some(isSpecialNetwork)).toBe(false)
  })

  // AddrIsLAN is netip's IsPrivate || IsLinkLocalUnicast || IsLoopback: shared address space
  // (RFC 6598) is not LAN, and 240.0.0.0/4 is not special (neither is in go-ethereum's lists).
  it('agrees with go-ethereum where the old parsers disagreed', () => {
    expect(isLan('100.64.0.1')).toBe(false)
    expect(isSpecialNetwork('240.0.0.1')).toBe(false)
  })

  it('relays loopback only between loopback peers and LAN only between LAN peers', () => {
    expect(checkRelayIp('127.0.0.1', '127.0.0.2')).toBe(true)
    expect(checkRelayIp('8.8.8.8', '127.0.0.2')).toBe(false)
    expect(checkRelayIp('192.168.0.2', '192.168.0.3')).toBe(true)
    expect(checkRelayIp('127.0.0.1', '192.168.0.3')).toBe(true)
    expect(checkRelayIp('192.168.0.2', '127.0.0.1')).toBe(false)
    expect(checkRelayIp('8.8.8.8', '192.168.0.3')).toBe(false)
    expect(checkRelayIp('8.8.8.8', '1.1.1.1')).toBe(true)
    expect(checkRelayIp('127.0.0.1', '224.0.0.1')).toBe(false)
    expect(checkRelayIp('127.0.0.1', '0.0.0.0')).toBe(false)
  })

  it('throws a typed error for what is no address', () => {
    expect(() => isLan('nope')).toThrow(CoreError)
  })
})

describe('Netlist', () => {
  it('matches IPv4 and IPv6 nets by prefix', () => {
    const r = new Netlist(['10.0.0.0/8', '192.168.1.0/25', '2001:db8::/32'])
    expect(r.contains('10.200.3.4')).toBe(true)
    expect(r.contains('11.0.0.1')).toBe(false)
    expect(r.contains('192.168.1.127')).toBe(true)
    expect(r.contains('192.168.1.128')).toBe(false)
    expect(r.contains('2001:db8:1::1')).toBe(true)
    expect(r.contains('2001:db9::1')).toBe(false)
    expect(r.contains('::ffff:10.1.2.3')).toBe(true)
    expect(r.contains(Uint8Array.of(10, 0, 0, 1))).toBe(true)
    expect(r.contains('not an ip')).toBe(false)
    expect(new Netlist(['0.0.0.0/0']).contains('8.8.8.8')).toBe(true)
    expect(new Netlist(['::ffff:10.0.0.0/104']).contains('10.1.1.1')).toBe(true)
  })

  it.each(['10.0.0.0', '10.0.0.0/33', '10.0.0.0/x', 'x/8', '::/129', '::ffff:10.0.0.0/95', ''])(
    'rejects %j with ERR_INVALID_CIDR',
    (cidr) => {
      expect(() => new Netlist([cidr])).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_CIDR' }),
      )
    },
  )

  it('parses a comma-separated list as ParseNetlist does', () => {
    const r = Netlist.parse(' 10.0.0.0/8,, 127.0.0.0/8 ,\n')
    expect(r.cidrs).toEqual(['10.0.0.0/8', '127.0.0.0/8'])
    expect(r.contains('127.0.0.2')).toBe(true)
    expect(Netlist.parse('').cidrs).toEqual([])
  })
})
