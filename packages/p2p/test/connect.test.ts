import { ManualClock } from '@x/core/testing'
import { generatePrivateKey } from '@x/discover'
import { afterEach, describe, expect, it } from 'vitest'
import {
  connectPeer,
  DisconnectReason,
  expectMsg,
  RemoteDisconnectError,
  type Server,
  send,
} from '../src/index.js'
import { MemoryNetwork } from '../src/testing/index.js'
import { echoProtocol, makeServer, nextEvent, nodeOf } from './server/helpers.js'

let clock: ManualClock
let server: Server | undefined
afterEach(async () => {
  await server?.stop()
  expect(clock.pending).toBe(0)
})

describe('connectPeer', () => {
  it('dials one node, runs a protocol with it, and disconnects', async () => {
    clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    server = makeServer(net, '10.0.0.2', clock)
    await server.start()
    let rwSeen = false
    const probe = {
      ...echoProtocol(),
      async run(_peer: unknown, rw: import('../src/index.js').MsgReadWriter) {
        await send(rw, 0, ['ping'])
        await expectMsg(rw, 1, ['ping'])
        rwSeen = true
      },
    }
    const peer = await connectPeer({
      privateKey: generatePrivateKey(),
      node: nodeOf(server),
      protocols: [probe],
      clientId: 'health/1',
      network: net.host('10.0.0.9'),
      clock,
    })
    expect(peer.hello.clientId).toBe('x-devp2p/v0.1.0')
    const removed = nextEvent(server, 'peer:removed')
    const info = await peer.run()
    expect(rwSeen).toBe(true)
    // The protocol returned: the peer ends with "client quitting" (go-ethereum's errProtocolReturned).
    expect(info).toEqual({ reason: DisconnectReason.ClientQuitting, remote: false })
    expect((await removed).reason).toBe(DisconnectReason.ClientQuitting)
  })

  it('rejects with the remote reason when the server refuses us', async () => {
    clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const key = generatePrivateKey()
    server = makeServer(net, '10.0.0.2', clock, { privateKey: key })
    await server.start()
    const err = await connectPeer({
      privateKey: key,
      node: nodeOf(server),
      network: net.host('10.0.0.9'),
      clock,
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteDisconnectError)
    expect((err as RemoteDisconnectError).reason).toBe(DisconnectReason.ConnectedToSelf)
  })

  it('rejects as useless when no protocol is shared', async () => {
    clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    server = makeServer(net, '10.0.0.2', clock)
    await server.start()
    await expect(
      connectPeer({
        privateKey: generatePrivateKey(),
        node: nodeOf(server),
        protocols: [echoProtocol('other')],
        network: net.host('10.0.0.9'),
        clock,
      }),
    ).rejects.toMatchObject({ reason: DisconnectReason.UselessPeer })
  })
})
