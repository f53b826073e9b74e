import { describe, expect, it } from 'vitest'
import { generatePrivateKey, nodeIdFromPrivateKey } from '../../src/index.js'
import { checkRelayIp, isLan, isLoopback, isSpecialNetwork } from '../../src/udp/index.js'
import { neighborNode } from '../../src/udp/netutil.js'

describe('relay rules (netutil)', () => {
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
      ].every(isLan),
    ).toBe(true)
    expect(['172.32.0.1', '8.8.8.8', '2a00::1'].some(isLan)).toBe(false)
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
      ].every(isSpecialNetwork),
    ).toBe(true)
    expect(['8.8.8.8', '1.1.1.1', '2a00:1450::1'].some(isSpecialNetwork)).toBe(false)
  })

  it('relays loopback only between loopback peers and LAN only between LAN peers', () => {
    expect(checkRelayIp('127.0.0.1', '127.0.0.2')).toBe(true)
    expect(checkRelayIp('8.8.8.8', '127.0.0.2')).toBe(false)
    expect(checkRelayIp('192.168.0.2', '192.168.0.3')).toBe(true)
    expect(checkRelayIp('8.8.8.8', '192.168.0.3')).toBe(false)
    expect(checkRelayIp('8.8.8.8', '1.1.1.1')).toBe(true)
    expect(checkRelayIp('127.0.0.1', '224.0.0.1')).toBe(false)
  })

  it('rejects Neighbors entries with low ports or invalid IDs', () => {
    const id = nodeIdFromPrivateKey(generatePrivateKey())
    expect(neighborNode('8.8.8.8', { ip: '1.1.1.1', udp: 30303, tcp: 30303, id })?.udp).toBe(30303)
    expect(neighborNode('8.8.8.8', { ip: '1.1.1.1', udp: 1024, tcp: 30303, id })).toBeUndefined()
    expect(
      neighborNode('8.8.8.8', { ip: '1.1.1.1', udp: 30303, tcp: 30303, id: new Uint8Array(64) }),
    ).toBeUndefined()
  })
})
