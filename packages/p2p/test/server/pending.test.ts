import { describe, expect, it } from 'vitest'
import { type PendingSlot, PendingSlots } from '../../src/server/pending.js'

function slots(maxPerIp: number) {
  const s = new PendingSlots(maxPerIp)
  const evicted: string[] = []
  const take = (ip: string, max: number, name = ip) => {
    const slot = s.take(ip, max, () => evicted.push(name))
    return slot
  }
  return { s, evicted, take }
}

describe('PendingSlots', () => {
  it('caps one address, LAN or not, and the total', () => {
    const { s, take } = slots(2)
    expect(typeof take('127.0.0.1', 10)).toBe('object')
    expect(typeof take('127.0.0.1', 10)).toBe('object')
    expect(take('127.0.0.1', 10)).toBe('too many pending handshakes from this address')
    expect(s.size).toBe(2)
    expect(s.count('127.0.0.1')).toBe(2)
  })

  it('a full table gives the newcomer the oldest slot of the most represented address', () => {
    const { s, evicted, take } = slots(10)
    const a1 = take('10.0.0.1', 4, 'a1') as PendingSlot
    take('10.0.0.1', 4, 'a2')
    take('10.0.0.1', 4, 'a3')
    take('10.0.0.2', 4, 'b1')
    const c = take('10.0.0.3', 4, 'c1')
    expect(typeof c).toBe('object')
    expect(evicted).toEqual(['a1'])
    expect(a1.signal.aborted).toBe(true)
    expect(a1.signal.reason).toMatchObject({ code: 'ERR_INBOUND_REFUSED' })
    expect(s.size).toBe(4)
    a1.release() // the evicted setup ends later: no double count
    expect(s.size).toBe(4)
    expect(s.count('10.0.0.1')).toBe(2)
  })

  it('the most represented address cannot displace a smaller one', () => {
    const { evicted, take } = slots(10)
    take('10.0.0.1', 3)
    take('10.0.0.1', 3)
    take('10.0.0.2', 3)
    expect(take('10.0.0.1', 3)).toBe('too many pending handshakes')
    // 10.0.0.2 holds 1 < 2: it may take one of 10.0.0.1's.
    expect(typeof take('10.0.0.2', 3)).toBe('object')
    expect(evicted).toEqual(['10.0.0.1'])
  })

  it('a slot past the encryption handshake is not taken back; release frees it once', () => {
    const { s, evicted, take } = slots(10)
    const a = take('10.0.0.1', 1) as PendingSlot
    a.authenticated()
    expect(take('10.0.0.2', 1)).toBe('too many pending handshakes')
    expect(evicted).toEqual([])
    a.release()
    a.release()
    expect(s.size).toBe(0)
    expect(typeof take('10.0.0.2', 1)).toBe('object')
  })
})
