import { describe, expect, it } from 'vitest'
import { extIp, NatError, parseNat } from '../../src/index.js'

describe('parseNat (go-ethereum nat.Parse)', () => {
  it('accepts what geth accepts', () => {
    expect(parseNat('none')).toBeUndefined()
    expect(parseNat('')).toBeUndefined()
    expect(parseNat('OFF')).toBeUndefined()
    expect(parseNat('any')).toEqual({ kind: 'any' })
    expect(parseNat('upnp')).toEqual({ kind: 'upnp' })
    expect(parseNat('pmp')).toEqual({ kind: 'pmp' })
    expect(parseNat('NAT-PMP:192.168.1.1')).toEqual({ kind: 'pmp', gateway: '192.168.1.1' })
    expect(parseNat('extip:203.0.113.5')).toEqual({ kind: 'extip', ip: '203.0.113.5' })
    expect(parseNat('extip:2001:db8::1')).toEqual({ kind: 'extip', ip: '2001:db8::1' })
  })

  it.each([
    ['extip', 'is not an IP address'],
    ['extip:', 'is not an IP address'],
    ['extip:203.0.113', 'is not an IP address'],
    ['upnp:1.2.3.4', 'takes no argument'],
    ['pmp:fd00::1', 'is not IPv4'],
    ['stun', 'unknown mechanism'],
    ['yes', 'unknown mechanism'],
  ])('refuses %j with a typed error', (spec, message) => {
    let err: unknown
    try {
      parseNat(spec)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(NatError)
    expect((err as NatError).code).toBe('ERR_INVALID_NAT')
    expect((err as Error).message).toContain(message)
    expect((err as Error).message).not.toContain('\n')
  })

  it('extip asks nobody and maps nothing', async () => {
    const n = extIp('203.0.113.5')
    expect(n.staticIp).toBe('203.0.113.5')
    const signal = new AbortController().signal
    expect(await n.externalIp({ signal })).toBe('203.0.113.5')
    expect(await n.addMapping('tcp', 30303, { signal, description: 'x' })).toBe(30303)
  })
})
