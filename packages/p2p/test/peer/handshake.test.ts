import { TimeoutError } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import {
  DisconnectError,
  DisconnectReason,
  decodeDisconnect,
  disconnectCode,
  encodeDisconnect,
  encodeHello,
  expectMsg,
  helloCode,
  pingCode,
  protoHandshake,
  RemoteDisconnectError,
} from '../../src/index.js'
import { transportPair } from '../../src/testing/index.js'
import { helloOf, randomId } from './helpers.js'

describe('protoHandshake', () => {
  it('exchanges hellos, returns the remote one and turns snappy on for version 5', async () => {
    const clock = new ManualClock()
    const idA = randomId()
    const idB = randomId()
    const [ta, tb] = transportPair(idA, idB)
    const [hb, ha] = await Promise.all([
      protoHandshake(ta, helloOf(idA, [], 'alice'), { clock }),
      protoHandshake(tb, { ...helloOf(idB, [], 'bob'), version: 4 }, { clock }),
    ])
    expect(hb.clientId).toBe('bob')
    expect(ha.clientId).toBe('alice')
    expect(ta.snappy).toBe(false) // bob speaks 4
    expect(tb.snappy).toBe(false) // we speak 4
    expect(clock.pending).toBe(0)
  })

  it('turns snappy on when both speak version 5', async () => {
    const idA = randomId()
    const idB = randomId()
    const [ta, tb] = transportPair(idA, idB)
    await Promise.all([protoHandshake(ta, helloOf(idA, [])), protoHandshake(tb, helloOf(idB, []))])
    expect(ta.snappy && tb.snappy).toBe(true)
  })

  it('rejects a hello whose node ID is not the authenticated key, sending unexpected identity', async () => {
    const idA = randomId()
    const [ta, tb] = transportPair(idA, randomId())
    const result = protoHandshake(ta, helloOf(idA, []))
    await expectMsg(tb, helloCode)
    await tb.writeMsg(helloCode, encodeHello(helloOf(randomId(), [])))
    await expect(result).rejects.toMatchObject({ reason: DisconnectReason.UnexpectedIdentity })
    const disc = await expectMsg(tb, disconnectCode)
    expect(decodeDisconnect(disc.payload)).toBe(DisconnectReason.UnexpectedIdentity)
  })

  it('rejects a first message that is not a hello as a breach of protocol', async () => {
    const idA = randomId()
    const [ta, tb] = transportPair(idA, randomId())
    const result = protoHandshake(ta, helloOf(idA, []))
    await tb.writeMsg(pingCode, Uint8Array.of(0xc0))
    await expect(result).rejects.toBeInstanceOf(DisconnectError)
    await expectMsg(tb, helloCode)
    expect(decodeDisconnect((await expectMsg(tb, disconnectCode)).payload)).toBe(
      DisconnectReason.BreachOfProtocol,
    )
  })

  it('rejects a malformed hello as a breach of protocol', async () => {
    const idA = randomId()
    const [ta, tb] = transportPair(idA, randomId())
    const result = protoHandshake(ta, helloOf(idA, []))
    await tb.writeMsg(helloCode, Uint8Array.of(0x01, 0x02))
    await expect(result).rejects.toMatchObject({ reason: DisconnectReason.BreachOfProtocol })
  })

  it('reports a Disconnect sent instead of a hello', async () => {
    const idA = randomId()
    const [ta, tb] = transportPair(idA, randomId())
    const result = protoHandshake(ta, helloOf(idA, []))
    await tb.writeMsg(disconnectCode, encodeDisconnect(DisconnectReason.TooManyPeers))
    const err = await result.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteDisconnectError)
    expect((err as RemoteDisconnectError).reason).toBe(DisconnectReason.TooManyPeers)
  })

  it('times out on the injected clock', async () => {
    const clock = new ManualClock()
    const idA = randomId()
    const [ta] = transportPair(idA, randomId())
    const result = protoHandshake(ta, helloOf(idA, []), { clock, timeout: 5_000 })
    const caught = result.catch((e: unknown) => e)
    await clock.advance(5_000)
    expect(await caught).toBeInstanceOf(TimeoutError)
    expect(clock.pending).toBe(0)
    ta.close()
  })

  it('stops when aborted', async () => {
    const idA = randomId()
    const [ta] = transportPair(idA, randomId())
    const ac = new AbortController()
    const result = protoHandshake(ta, helloOf(idA, []), { signal: ac.signal })
    ac.abort(new Error('stop'))
    await expect(result).rejects.toThrow('stop')
    ta.close()
  })
})
