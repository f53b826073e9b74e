import { Netlist } from '@x/core'
import { describe, expect, it } from 'vitest'
import { loopbackExcept } from '../src/devnet/netrestrict.js'

describe('loopbackExcept', () => {
  it('allows all of 127.0.0.0/8 but the excluded addresses', () => {
    expect(loopbackExcept([])).toEqual(['127.0.0.0/8'])
    const cidrs = loopbackExcept(['127.0.1.3', '127.0.1.9'])
    const list = new Netlist(cidrs)
    expect(list.contains('127.0.1.3')).toBe(false)
    expect(list.contains('127.0.1.9')).toBe(false)
    for (const ip of ['127.0.0.1', '127.0.1.2', '127.0.1.4', '127.0.1.8', '127.255.255.255']) {
      expect(list.contains(ip)).toBe(true)
    }
    expect(list.contains('10.0.0.1')).toBe(false)
    expect(loopbackExcept(['127.0.1.3'])).toHaveLength(24)
  })
})
