import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { InboundThrottle, InvalidCidrError, isLanIp, NetRestrict } from '../../src/index.js'

describe('NetRestrict', () => {
  it('matches IPv4 and IPv6 nets by prefix', () => {
    const r = new NetRestrict(['10.0.0.0/8', '192.168.1.0/25', '2001:db8::/32'])
    expect(r.contains('10.200.3.4')).toBe(true)
    expect(r.contains('11.0.0.1')).toBe(false)
    expect(r.contains('192.168.1.127')).toBe(true)
    expect(r.contains('192.168.1.128')).toBe(false)
    expect(r.contains('2001:db8:1::1')).toBe(true)
    expect(r.contains('2001:db9::1')).toBe(false)
    expect(r.contains('::ffff:10.1.2.3')).toBe(true)
    expect(r.contains('not an ip')).toBe(false)
    expect(new NetRestrict(['0.0.0.0/0']).contains('8.8.8.8')).toBe(true)
  })

  it.each(['10.0.0.0', '10.0.0.0/33', '10.0.0.0/x', 'x/8', '::/129'])('rejects %s', (cidr) => {
    expect(() => new NetRestrict([cidr])).toThrow(InvalidCidrError)
  })

  it('knows LAN addresses', () => {
    for (const ip of ['127.0.0.1', '10.1.1.1', '172.16.0.1', '192.168.0.1', '::1', 'fd00::1']) {
      expect(isLanIp(ip)).toBe(true)
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '2001:db8::1']) expect(isLanIp(ip)).toBe(false)
  })
})

describe('InboundThrottle', () => {
  it('admits an IP once per period', async () => {
    const clock = new ManualClock()
    const t = new InboundThrottle(clock, 30_000)
    expect(t.admit('1.2.3.4')).toBe(true)
    expect(t.admit('1.2.3.4')).toBe(false)
    expect(t.admit('1.2.3.5')).toBe(true)
    await clock.advance(30_000)
    expect(t.admit('1.2.3.4')).toBe(true)
  })
})
