import { describe, expect, it } from 'vitest'
import { generatePrivateKey, nodeIdFromPrivateKey } from '../../src/index.js'
import { neighborNode } from '../../src/udp/netutil.js'

describe('Neighbors entries (netutil)', () => {
  it('rejects Neighbors entries with low ports or invalid IDs', () => {
    const id = nodeIdFromPrivateKey(generatePrivateKey())
    expect(neighborNode('8.8.8.8', { ip: '1.1.1.1', udp: 30303, tcp: 30303, id })?.udp).toBe(30303)
    expect(neighborNode('8.8.8.8', { ip: '1.1.1.1', udp: 1024, tcp: 30303, id })).toBeUndefined()
    expect(
      neighborNode('8.8.8.8', { ip: '1.1.1.1', udp: 30303, tcp: 30303, id: new Uint8Array(64) }),
    ).toBeUndefined()
  })
})
