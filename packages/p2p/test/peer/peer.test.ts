import { RlpError } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DisconnectError,
  DisconnectReason,
  decodeDisconnect,
  disconnectCode,
  encodeDisconnect,
  expectMsg,
  type MsgEvent,
  type MsgReadWriter,
  Peer,
  type PeerOptions,
  type Protocol,
  type ProtocolPeer,
  pingCode,
  pongCode,
  send,
} from '../../src/index.js'
import { transportPair } from '../../src/testing/index.js'
import { helloOf, peerPair, randomId } from './helpers.js'

const empty = Uint8Array.of(0xc0)

/** A protocol whose run the test drives through the captured reader/writer. */
function probe(name: string, length: number, version = 1) {
  let rwResolve!: (rw: MsgReadWriter) => void
  const rwReady = new Promise<MsgReadWriter>((r) => {
    rwResolve = r
  })
  let finish!: (err?: unknown) => void
  const protocol: Protocol = {
    name,
    version,
    length,
    run: (_peer: ProtocolPeer, rw: MsgReadWriter, signal: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        finish = (err) => (err === undefined ? resolve() : reject(err))
        signal.addEventListener('abort', () => reject(signal.reason), { once: true })
        rwResolve(rw)
      }),
  }
  return { protocol, rwReady, finish: (err?: unknown) => finish(err) }
}

/** Our peer on one end of a pipe; the test plays the remote on the raw other end. */
function rawPeer(clock: ManualClock, protocols: Protocol[], options: PeerOptions = {}) {
  const idRemote = randomId()
  const [ta, tb] = transportPair(randomId(), idRemote, { now: () => clock.now() })
  const peer = new Peer(ta, helloOf(idRemote, protocols), { clock, protocols, ...options })
  return { peer, ta, remote: tb }
}

let clock: ManualClock
afterEach(() => {
  expect(clock.pending).toBe(0)
})

describe('Peer', () => {
  it('answers Ping with Pong and pings every 15 s', async () => {
    clock = new ManualClock()
    const { peer, remote } = rawPeer(clock, [])
    const done = peer.run()
    await remote.writeMsg(pingCode, empty)
    await expectMsg(remote, pongCode, [])
    await clock.advance(15_000)
    await expectMsg(remote, pingCode, [])
    await remote.writeMsg(pongCode, empty)
    await clock.advance(15_000)
    await expectMsg(remote, pingCode, [])
    peer.disconnect(DisconnectReason.ClientQuitting)
    expect(decodeDisconnect((await expectMsg(remote, disconnectCode)).payload)).toBe(
      DisconnectReason.ClientQuitting,
    )
    expect(await done).toEqual({ reason: DisconnectReason.ClientQuitting, remote: false })
    expect(peer.signal.aborted).toBe(true)
  })

  it('answers a Ping flood with at most one queued Pong', async () => {
    clock = new ManualClock()
    const idRemote = randomId()
    const [ta, tb] = transportPair(randomId(), idRemote, { capacity: 1 })
    const peer = new Peer(ta, helloOf(idRemote, []), { clock })
    const done = peer.run()
    for (let i = 0; i < 50; i++) await tb.writeMsg(pingCode, empty)
    // The remote never read: only a bounded number of Pongs were queued.
    let pongs = 0
    peer.disconnect(DisconnectReason.Requested)
    for (;;) {
      const msg = await tb.readMsg().catch(() => undefined)
      if (!msg) break
      if (msg.code === pongCode) pongs++
    }
    expect(pongs).toBeLessThanOrEqual(3)
    expect(pongs).toBeGreaterThanOrEqual(1)
    await done
  })

  it('keeps two live peers connected through many ping rounds', async () => {
    clock = new ManualClock()
    const { pa, pb } = await peerPair(clock)
    const runs = [pa.run(), pb.run()]
    for (let i = 0; i < 10; i++) await clock.advance(15_000)
    expect(pa.disconnectInfo).toBeUndefined()
    expect(pb.disconnectInfo).toBeUndefined()
    pa.disconnect(DisconnectReason.Requested)
    const [ia, ib] = await Promise.all(runs)
    expect(ia).toEqual({ reason: DisconnectReason.Requested, remote: false })
    expect(ib).toEqual({ reason: DisconnectReason.Requested, remote: true })
  })

  it('drops a peer that sends nothing, not even a Pong, within the idle timeout', async () => {
    clock = new ManualClock()
    const { peer, remote } = rawPeer(clock, [], { idleTimeout: 40_000 })
    const done = peer.run()
    await clock.advance(20_000)
    await remote.writeMsg(pongCode, empty) // at 20 s: silence restarts
    await clock.advance(39_000)
    expect(peer.disconnectInfo).toBeUndefined()
    await clock.advance(1_000)
    const info = await done
    expect(info.reason).toBe(DisconnectReason.ReadTimeout)
    expect(info.remote).toBe(false)
    await expectMsg(remote, pingCode) // the pings that went unanswered
    await expectMsg(remote, pingCode)
    await expectMsg(remote, pingCode)
    expect(decodeDisconnect((await expectMsg(remote, disconnectCode)).payload)).toBe(
      DisconnectReason.ReadTimeout,
    )
  })

  it('multiplexes protocols by offset and translates codes both ways', async () => {
    clock = new ManualClock()
    const a = probe('aaa', 3)
    const b = probe('bbb', 5)
    const { peer, remote } = rawPeer(clock, [b.protocol, a.protocol])
    expect(peer.running.map((r) => [r.protocol.name, r.offset])).toEqual([
      ['aaa', 16],
      ['bbb', 19],
    ])
    const done = peer.run()
    const [rwa, rwb] = await Promise.all([a.rwReady, b.rwReady])
    await send(remote, 16 + 2, ['to-a'])
    await send(remote, 19 + 4, ['to-b'])
    await expectMsg(rwa, 2, ['to-a'])
    await expectMsg(rwb, 4, ['to-b'])
    await send(rwa, 0, ['from-a'])
    await send(rwb, 1, ['from-b'])
    await expectMsg(remote, 16, ['from-a'])
    await expectMsg(remote, 20, ['from-b'])
    await expect(rwa.writeMsg(3, empty)).rejects.toMatchObject({ code: 'ERR_INVALID_MSG_CODE' })
    peer.disconnect(DisconnectReason.Requested)
    await done
    await expect(rwa.readMsg()).rejects.toMatchObject({ code: 'ERR_PEER_CLOSED' })
    await expect(rwb.writeMsg(0, empty)).rejects.toMatchObject({ code: 'ERR_PEER_CLOSED' })
  })

  it('treats a message code of no protocol as a breach of protocol', async () => {
    clock = new ManualClock()
    const a = probe('aaa', 3)
    const { peer, remote } = rawPeer(clock, [a.protocol])
    const done = peer.run()
    await remote.writeMsg(16 + 3, empty)
    const info = await done
    expect(info.reason).toBe(DisconnectReason.BreachOfProtocol)
    expect(info.error).toMatchObject({ code: 'ERR_INVALID_MSG_CODE' })
    expect(decodeDisconnect((await expectMsg(remote, disconnectCode)).payload)).toBe(
      DisconnectReason.BreachOfProtocol,
    )
  })

  it.each([
    ['returns', undefined, DisconnectReason.ClientQuitting],
    [
      'throws a DisconnectError',
      new DisconnectError(DisconnectReason.UselessPeer),
      DisconnectReason.UselessPeer,
    ],
    ['throws on a malformed message', new RlpError('bad'), DisconnectReason.BreachOfProtocol],
    ['throws anything else', new Error('boom'), DisconnectReason.SubprotocolError],
  ])('ends with the right reason when a protocol %s', async (_, err, reason) => {
    clock = new ManualClock()
    const a = probe('aaa', 3)
    const { peer, remote } = rawPeer(clock, [a.protocol])
    const done = peer.run()
    await a.rwReady
    a.finish(err)
    const info = await done
    expect(info.reason).toBe(reason)
    expect(info.remote).toBe(false)
    expect(decodeDisconnect((await expectMsg(remote, disconnectCode)).payload)).toBe(reason)
  })

  it('reports a Disconnect from the remote and sends none back', async () => {
    clock = new ManualClock()
    const a = probe('aaa', 3)
    const { peer, remote, ta } = rawPeer(clock, [a.protocol])
    const done = peer.run()
    await remote.writeMsg(disconnectCode, encodeDisconnect(DisconnectReason.TooManyPeers))
    expect(await done).toEqual({ reason: DisconnectReason.TooManyPeers, remote: true })
    expect(ta.closed).toBe(true)
  })

  it('ends with a TCP error, sending nothing, when the link fails', async () => {
    clock = new ManualClock()
    const { peer, remote } = rawPeer(clock, [])
    const done = peer.run()
    remote.close()
    const info = await done
    expect(info.reason).toBe(DisconnectReason.TcpError)
    expect(info.error).toMatchObject({ code: 'ERR_PIPE_CLOSED' })
  })

  it('disconnect is idempotent, first reason wins, and works before run', async () => {
    clock = new ManualClock()
    const { peer, remote } = rawPeer(clock, [])
    peer.disconnect(DisconnectReason.UselessPeer)
    peer.disconnect(DisconnectReason.TooManyPeers)
    expect(await peer.run()).toEqual({ reason: DisconnectReason.UselessPeer, remote: false })
    expect(decodeDisconnect((await expectMsg(remote, disconnectCode)).payload)).toBe(
      DisconnectReason.UselessPeer,
    )
    await expect(remote.readMsg()).rejects.toMatchObject({ code: 'ERR_PIPE_CLOSED' })
  })

  it('waits for a protocol that does not read (back-pressure) without calling the peer idle', async () => {
    clock = new ManualClock()
    const a = probe('aaa', 3)
    const { peer, remote } = rawPeer(clock, [a.protocol], { idleTimeout: 30_000 })
    const done = peer.run()
    const rw = await a.rwReady
    for (let i = 0; i < 20; i++) await send(remote, 16, [i])
    await clock.advance(60_000)
    expect(peer.disconnectInfo).toBeUndefined()
    for (let i = 0; i < 20; i++) await expectMsg(rw, 0, [i])
    peer.disconnect(DisconnectReason.Requested)
    await done
  })

  it('reports every message sent and received when asked', async () => {
    clock = new ManualClock()
    const events: MsgEvent[] = []
    const a = probe('aaa', 3)
    const { peer, remote } = rawPeer(clock, [a.protocol], { onMessage: (e) => events.push(e) })
    const done = peer.run()
    const rw = await a.rwReady
    await send(remote, 17, ['x'])
    await expectMsg(rw, 1)
    await send(rw, 2, ['yy'])
    await expectMsg(remote, 18)
    await remote.writeMsg(pingCode, empty)
    await expectMsg(remote, pongCode)
    peer.disconnect(DisconnectReason.Requested)
    await done
    const id = peer.idHex
    expect(events).toEqual([
      { direction: 'received', peer: id, protocol: 'aaa', code: 1, size: 2 },
      { direction: 'sent', peer: id, protocol: 'aaa', code: 2, size: 4 },
      { direction: 'received', peer: id, protocol: 'p2p', code: pingCode, size: 1 },
      { direction: 'sent', peer: id, protocol: 'p2p', code: pongCode, size: 1 },
    ])
  })

  it('exposes the remote as a ProtocolPeer', async () => {
    clock = new ManualClock()
    const { pa, pb } = await peerPair(clock)
    expect(pa.clientId).toBe('b')
    expect(pb.inbound).toBe(true)
    expect(pa.inbound).toBe(false)
    expect(pa.idHex).toMatch(/^[0-9a-f]{128}$/)
    const runs = [pa.run(), pb.run()]
    pb.disconnect(DisconnectReason.ClientQuitting)
    await Promise.all(runs)
  })
})
