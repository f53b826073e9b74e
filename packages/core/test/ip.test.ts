import { isIPv4 } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToIp, ipToBytes, normalizeIp } from '../src/index.js'

describe('ip', () => {
  it('encodes IPv4 as 4 bytes and IPv6 as 16', () => {
    expect(ipToBytes('127.0.0.1')).toEqual(new Uint8Array([127, 0, 0, 1]))
    expect(ipToBytes('::1').length).toBe(16)
    expect(ipToBytes('::1')[15]).toBe(1)
  })
  it('treats IPv4-mapped IPv6 as IPv4, in both directions', () => {
    expect(ipToBytes('::ffff:10.0.0.1')).toEqual(new Uint8Array([10, 0, 0, 1]))
    const mapped = new Uint8Array(16)
    mapped.set([0xff, 0xff, 1, 2, 3, 4], 10)
    expect(bytesToIp(mapped)).toBe('1.2.3.4')
  })
  it('formats IPv6 canonically (RFC 5952)', () => {
    expect(normalizeIp('2001:0DB8:0000:0000:0001:0000:0000:0001')).toBe('2001:db8::1:0:0:1')
    expect(normalizeIp('fe80::')).toBe('fe80::')
    expect(normalizeIp('1:0:1:0:1:0:1:0')).toBe('1:0:1:0:1:0:1:0')
    expect(normalizeIp('::')).toBe('::')
    expect(normalizeIp('::1.2.3.4')).toBe('::102:304')
  })
  it('rejects non-addresses and odd lengths with ERR_INVALID_IP', () => {
    expect(() => ipToBytes('localhost')).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_IP' }),
    )
    expect(() => bytesToIp(new Uint8Array(5))).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_IP' }),
    )
  })
  it('parses dotted quads exactly as node:net isIPv4 accepts them', () => {
    for (const ip of ['0.0.0.0', '255.255.255.255', '1.2.3.4', '10.0.0.10']) {
      expect(ipToBytes(ip)).toEqual(new Uint8Array(ip.split('.').map(Number)))
      expect(normalizeIp(ip)).toBe(ip)
    }
    for (const ip of [
      '01.2.3.4',
      '1.2.3',
      '1.2.3.4.',
      '.1.2.3',
      '256.1.1.1',
      '1..2.3',
      '1.2.3.4 ',
    ]) {
      expect(() => ipToBytes(ip), ip).toThrowError(
        expect.objectContaining({ code: 'ERR_INVALID_IP' }),
      )
    }
    const part = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map(String),
      fc.integer({ min: 0, max: 99 }).map((n) => `0${n}`),
      fc.constantFrom('', 'a', '-1', '1e2'),
    )
    fc.assert(
      fc.property(fc.array(part, { minLength: 3, maxLength: 5 }), (parts) => {
        const ip = parts.join('.')
        if (isIPv4(ip)) expect(ipToBytes(ip)).toEqual(new Uint8Array(parts.map(Number)))
        else expect(() => ipToBytes(ip)).toThrow()
      }),
    )
  })
})
