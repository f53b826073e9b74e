import { DisconnectReason } from '@x/p2p'
import { describe, expect, it } from 'vitest'
import { EthError } from '../src/errors.js'
import { localStatus } from '../src/handshake.js'
import { EthPeer } from '../src/peer.js'
import { PeerSet } from '../src/peer-set.js'
import { devnetHandshake, fakePeer, rwPair } from './helpers.js'

function makePeer(version: 68 | 69 = 68) {
  const fake = fakePeer()
  const [a] = rwPair()
  return { fake, peer: new EthPeer(fake, a, version, localStatus(devnetHandshake(version))) }
}

function code(fn: () => void): string | undefined {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(EthError)
    return (e as EthError).code
  }
  return undefined
}

describe('PeerSet', () => {
  it('registers, looks up and unregisters', () => {
    const set = new PeerSet()
    const { peer } = makePeer()
    set.register(peer)
    expect(set.len).toBe(1)
    expect(set.peer(peer.id)).toBe(peer)
    expect(code(() => set.register(peer))).toBe('ERR_PEER_ALREADY_REGISTERED')
    set.unregister(peer.id)
    expect(set.len).toBe(0)
    expect(set.peer(peer.id)).toBeUndefined()
    expect(code(() => set.unregister(peer.id))).toBe('ERR_PEER_NOT_REGISTERED')
  })

  it('refuses registrations when full or closed, and close disconnects everyone', () => {
    const set = new PeerSet(2)
    const a = makePeer()
    const b = makePeer()
    set.register(a.peer)
    set.register(b.peer)
    expect(code(() => set.register(makePeer().peer))).toBe('ERR_PEER_SET_CLOSED')
    set.close()
    expect(a.fake.reason).toBe(DisconnectReason.ClientQuitting)
    expect(b.fake.reason).toBe(DisconnectReason.ClientQuitting)
    set.unregister(a.peer.id)
    expect(code(() => set.register(a.peer))).toBe('ERR_PEER_SET_CLOSED')
  })

  it('lists peers without a transaction or block', () => {
    const set = new PeerSet()
    const a = makePeer().peer
    const b = makePeer().peer
    set.register(a)
    set.register(b)
    const h = new Uint8Array(32).fill(7)
    a.markTransaction(h)
    b.markBlock(h)
    expect(set.peersWithoutTx(h)).toEqual([b])
    expect(set.peersWithoutBlock(h)).toEqual([a])
  })

  it('picks the best peer by number, then by total difficulty', () => {
    const set = new PeerSet()
    expect(set.bestPeer()).toBeUndefined()
    const a = makePeer(68).peer
    const b = makePeer(68).peer
    set.register(a)
    set.register(b)
    a.setHead({ hash: new Uint8Array(32), td: 10n })
    b.setHead({ hash: new Uint8Array(32), td: 20n })
    expect(set.bestPeer()).toBe(b)
    const c = makePeer(69).peer
    set.register(c)
    c.setBlockRange({ earliestBlock: 0, latestBlock: 5, latestHash: new Uint8Array(32).fill(1) })
    expect(set.bestPeer()).toBe(c)
    a.setHead({ hash: new Uint8Array(32), number: 6, td: 30n })
    expect(set.bestPeer()).toBe(a)
  })
})
