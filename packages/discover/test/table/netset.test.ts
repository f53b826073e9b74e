import { describe, expect, it } from 'vitest'
import { DistinctNetSet } from '../../src/table/netset.js'

describe('DistinctNetSet', () => {
  it('counts per prefix, IPv4 and IPv6 apart', () => {
    const s = new DistinctNetSet(24, 2)
    expect(s.add('1.2.3.4')).toBe(true)
    expect(s.add('1.2.3.5')).toBe(true)
    expect(s.add('1.2.3.6')).toBe(false)
    expect(s.add('1.2.4.6')).toBe(true)
    expect(s.add('::ffff:1.2.3.9')).toBe(false)
    expect(s.add('2001:db8::1')).toBe(true)
    expect(s.count('1.2.3.200')).toBe(2)
    s.remove('1.2.3.4')
    expect(s.add('1.2.3.7')).toBe(true)
    expect(s.size).toBe(4)
    const odd = new DistinctNetSet(20, 1)
    expect(odd.add('1.2.16.1')).toBe(true)
    expect(odd.add('1.2.31.1')).toBe(false)
    expect(odd.add('1.2.32.1')).toBe(true)
  })
})
