import { toHex } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { DisconnectError, DisconnectReason, type MsgPipeEnd, msgPipe } from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import {
  decodePingMsg,
  encodePingMsg,
  type HealthError,
  HealthTracker,
  PingProtocol,
  type PingProtocolOptions,
  pingMsgCode,
  pongMsgCode,
} from '../../src/index.js'
import { type FakePeer, fakePeer } from '../fake-peer.js'

interface Running {
  clock: ManualClock
  tracker: HealthTracker
  proto: PingProtocol
  peer: FakePeer
  remote: MsgPipeEnd
  local: MsgPipeEnd
  done: Promise<void>
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

function start(options: PingProtocolOptions = {}): Running {
  const clock = new ManualClock()
  const tracker = new HealthTracker({ clock, thresholds: { unhealthyFailures: 2 } })
  const proto = new PingProtocol({
    clock,
    monotonic: () => clock.now(),
    tracker,
    interval: 0,
    timeout: 1000,
    ...options,
  })
  const [local, remote] = msgPipe({ now: () => clock.now() })
  const peer = fakePeer(1)
  const done = proto.run(peer, local, peer.signal)
  done.catch(() => {})
  cleanups.push(async () => {
    peer.controller.abort()
    await done.catch(() => {})
    local.close()
  })
  return { clock, tracker, proto, peer, remote, local, done }
}

/** Marks a ping's rejection as handled now; the test inspects it later. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {})
  return p
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p
    return undefined
  } catch (err) {
    return (err as HealthError).code
  }
}

describe('PingProtocol', () => {
  it('answers a Ping with a Pong of the same bytes', async () => {
    const { remote } = start()
    const nonce = new Uint8Array(32).fill(0xab)
    await remote.writeMsg(pingMsgCode, encodePingMsg(nonce))
    const pong = await remote.readMsg()
    expect(pong.code).toBe(pongMsgCode)
    expect(decodePingMsg(pong.payload)).toEqual(nonce)
  })

  it('sends 32 random bytes and measures the RTT on the monotonic clock', async () => {
    const { clock, tracker, proto, peer, remote } = start()
    const rtt = handled(proto.ping(peer.idHex))
    const ping = await remote.readMsg()
    expect(ping.code).toBe(pingMsgCode)
    const nonce = decodePingMsg(ping.payload)
    expect(nonce.length).toBe(32)
    await clock.advance(25)
    await remote.writeMsg(pongMsgCode, encodePingMsg(nonce))
    expect(await rtt).toBe(25)
    expect(tracker.get(peer.idHex)).toMatchObject({
      state: 'healthy',
      rttSource: 'ping/1',
      rtt: { last: 25, samples: 1 },
      clientId: 'fake/1',
    })
  })

  it('uses fresh bytes for every ping', async () => {
    const { proto, peer, remote } = start()
    const nonces: string[] = []
    for (let i = 0; i < 3; i++) {
      const rtt = handled(proto.ping(peer.idHex))
      const nonce = decodePingMsg((await remote.readMsg()).payload)
      nonces.push(toHex(nonce))
      await remote.writeMsg(pongMsgCode, encodePingMsg(nonce))
      await rtt
    }
    expect(new Set(nonces).size).toBe(3)
  })

  it('counts a Pong with different bytes as a failure, never a success', async () => {
    const { tracker, proto, peer, remote } = start()
    const rtt = handled(proto.ping(peer.idHex))
    const nonce = decodePingMsg((await remote.readMsg()).payload)
    const wrong = nonce.slice()
    wrong[31]! ^= 1
    await remote.writeMsg(pongMsgCode, encodePingMsg(wrong))
    expect(await codeOf(rtt)).toBe('ERR_PING_MISMATCH')
    expect(tracker.get(peer.idHex)).toMatchObject({
      state: 'degraded',
      lastFailure: 'mismatch',
      rtt: { samples: 0, failures: 1 },
    })
    // The correct bytes arriving later are unsolicited: ignored, not a success.
    await remote.writeMsg(pongMsgCode, encodePingMsg(nonce))
    await remote.writeMsg(pingMsgCode, encodePingMsg(nonce)) // still alive: answers
    expect((await remote.readMsg()).code).toBe(pongMsgCode)
    expect(tracker.get(peer.idHex)!.rtt.samples).toBe(0)
  })

  it('times out, records the failure, and ignores the late Pong', async () => {
    const { clock, tracker, proto, peer, remote } = start()
    const rtt = handled(proto.ping(peer.idHex))
    const nonce = decodePingMsg((await remote.readMsg()).payload)
    await clock.advance(999)
    expect(tracker.get(peer.idHex)!.rtt.failures).toBe(0)
    await clock.advance(1)
    expect(await codeOf(rtt)).toBe('ERR_PING_TIMEOUT')
    expect(tracker.get(peer.idHex)!.lastFailure).toBe('timeout')
    // The late Pong may arrive while the next ping is outstanding: still not a mismatch.
    const again = handled(proto.ping(peer.idHex))
    await remote.writeMsg(pongMsgCode, encodePingMsg(nonce))
    await remote.readMsg()
    await clock.advance(1000)
    expect(await codeOf(again)).toBe('ERR_PING_TIMEOUT')
    expect(tracker.get(peer.idHex)).toMatchObject({ state: 'unhealthy', rtt: { samples: 0 } })
  })

  it('allows one outstanding ping per peer', async () => {
    const { proto, peer, remote } = start()
    const first = handled(proto.ping(peer.idHex))
    expect(await codeOf(proto.ping(peer.idHex))).toBe('ERR_PING_BUSY')
    const nonce = decodePingMsg((await remote.readMsg()).payload)
    await remote.writeMsg(pongMsgCode, encodePingMsg(nonce))
    await first
    expect(await codeOf(proto.ping('ff'.repeat(64)))).toBe('ERR_PING_UNAVAILABLE')
  })

  it('pings on its interval, starting at once', async () => {
    const { clock, tracker, peer, remote } = start({ interval: 5000 })
    for (let i = 0; i < 3; i++) {
      // Pings go out at 0, 5000 and 10000 ms; each answer takes 10 + i ms.
      await clock.advance(i === 0 ? 0 : 5000 - (10 + i - 1))
      const nonce = decodePingMsg((await remote.readMsg()).payload)
      await clock.advance(10 + i)
      await remote.writeMsg(pongMsgCode, encodePingMsg(nonce))
    }
    await clock.advance(0)
    expect(tracker.get(peer.idHex)!.rtt).toMatchObject({ samples: 3, min: 10, last: 12 })
  })

  it('ends the peer with BreachOfProtocol on a malformed message or unknown code', async () => {
    const a = start()
    await a.remote.writeMsg(pingMsgCode, Uint8Array.of(0xc0))
    const err = await a.done.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DisconnectError)
    expect((err as DisconnectError).reason).toBe(DisconnectReason.BreachOfProtocol)

    const b = start()
    await b.remote.writeMsg(5, encodePingMsg(new Uint8Array(32)))
    expect(((await b.done.catch((e: unknown) => e)) as DisconnectError).reason).toBe(
      DisconnectReason.BreachOfProtocol,
    )
  })

  it('returns on abort, clears its timers and fails the outstanding ping', async () => {
    const { clock, proto, peer, done, tracker } = start({ interval: 5000 })
    await clock.advance(0)
    expect(proto.has(peer.idHex)).toBe(true)
    const pending = proto.ping(peer.idHex).catch((e: HealthError) => e.code)
    peer.controller.abort()
    await done
    expect(await pending).toBe('ERR_PING_BUSY')
    expect(clock.pending).toBe(0)
    expect(proto.has(peer.idHex)).toBe(false)
    expect(tracker.has(peer.idHex)).toBe(false)
  })

  it('leaves the peer in the tracker when told the liveness monitor owns the peer set', async () => {
    const { clock, proto, peer, done, tracker } = start({ forgetPeers: false })
    await clock.advance(0)
    peer.controller.abort()
    await done
    expect(proto.has(peer.idHex)).toBe(false)
    expect(tracker.get(peer.idHex)).toMatchObject({ clientId: 'fake/1' })
  })

  it('fails the outstanding ping with ERR_PING_UNAVAILABLE when the link closes', async () => {
    const { proto, peer, local, done, clock } = start()
    const rtt = handled(proto.ping(peer.idHex))
    local.close()
    await expect(done).rejects.toThrow()
    expect(await codeOf(rtt)).toBe('ERR_PING_UNAVAILABLE')
    expect(clock.pending).toBe(0)
  })

  it('runs between two of our nodes, each measuring the other', async () => {
    const clock = new ManualClock()
    const mk = () => {
      const tracker = new HealthTracker({ clock })
      return {
        tracker,
        proto: new PingProtocol({ clock, tracker, monotonic: () => clock.now(), interval: 1000 }),
      }
    }
    const x = mk()
    const y = mk()
    const [ex, ey] = msgPipe()
    const px = fakePeer(2)
    const py = fakePeer(3)
    // x sees peer py (y's identity) and vice versa.
    const dx = x.proto.run(py, ex, py.signal)
    const dy = y.proto.run(px, ey, px.signal)
    await clock.advance(0)
    await clock.advance(3000)
    expect(x.tracker.get(py.idHex)!.rtt.samples).toBe(4)
    expect(y.tracker.get(px.idHex)!.rtt.samples).toBe(4)
    expect(x.tracker.get(py.idHex)!.state).toBe('healthy')
    px.controller.abort()
    py.controller.abort()
    await Promise.all([dx, dy])
    ex.close()
    expect(clock.pending).toBe(0)
  })
})
