import { describe, expect, it } from 'vitest'
import {
  connFailureKind,
  DisconnectReason,
  decodeDisconnect,
  disconnectCode,
  expectMsg,
  protoHandshake,
  RlpxError,
} from '../../src/index.js'
import { nextEvent, rawConnect, rawHello, serverFixture } from './helpers.js'

const fx = serverFixture()
const at = { ip: '10.0.0.9', port: 1 }

describe('connFailureKind', () => {
  it("names go-ethereum's dial/serve error meters", () => {
    const kind = (e: Partial<Parameters<typeof connFailureKind>[0]>) =>
      connFailureKind({ inbound: false, remoteAddress: at, error: new Error('x'), ...e })
    expect(kind({ reason: DisconnectReason.TooManyPeers, stage: 'proto' })).toBe('saturated')
    expect(kind({ reason: DisconnectReason.AlreadyConnected })).toBe('known')
    expect(kind({ reason: DisconnectReason.ConnectedToSelf })).toBe('self')
    expect(kind({ reason: DisconnectReason.UselessPeer })).toBe('useless')
    expect(kind({ reason: DisconnectReason.UnexpectedIdentity })).toBe('id/unexpected')
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    expect(kind({ stage: 'enc', error: refused })).toBe('connection')
    expect(kind({ stage: 'enc', error: new RlpxError('ERR_BAD_MAC', 'bad mac') })).toBe('rlpx/enc')
    expect(kind({ stage: 'proto', error: new Error('EOF') })).toBe('rlpx/proto')
    expect(kind({ reason: DisconnectReason.Requested, stage: 'checks' })).toBe('other')
    expect(kind({})).toBe('other')
  })
})

describe('Server connection setup events', () => {
  it('reports both handshakes, then the stage a refused connection stopped at', async () => {
    const b = fx.server('10.0.0.2')
    await b.start()
    const c = await rawConnect(fx.net, '10.0.0.9', b)
    const handshake = nextEvent(b, 'conn:handshake')
    const failed = nextEvent(b, 'conn:failed')
    await protoHandshake(c.t, rawHello(c.id, [{ name: 'other', version: 1 }]), { clock: fx.clock })
    expect(decodeDisconnect((await expectMsg(c.t, disconnectCode)).payload)).toBe(
      DisconnectReason.UselessPeer,
    )
    const h = await handshake
    expect(h.inbound).toBe(true)
    expect(h.encMs).toBeGreaterThanOrEqual(0)
    expect(h.protoMs).toBeGreaterThanOrEqual(0)
    const f = await failed
    expect(f.stage).toBe('checks')
    expect(connFailureKind(f)).toBe('useless')
  })
})
