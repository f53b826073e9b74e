import { randomBytes } from 'node:crypto'
import { generatePrivateKey, Node } from '@x/discover'
import { describe, expect, it } from 'vitest'
import { RlpxError, rlpx, Server, tcpNetwork } from '../../src/index.js'
import { rlpxFixture } from '../rlpx/helpers.js'
import { echoProtocol } from '../server/helpers.js'

// A real Server on RLPx over TCP: bad input on one connection fails that connection with a typed
// RlpxError (`conn:failed`) and the server keeps serving good peers.

const { cleanups, rawSocket, handshaken } = rlpxFixture()

function server(listen: boolean, staticNodes: Node[] = []): Server {
  const s = new Server({
    privateKey: generatePrivateKey(),
    network: tcpNetwork(rlpx),
    listenAddress: listen ? { ip: '127.0.0.1', port: 0 } : null,
    protocols: [echoProtocol()],
    staticNodes,
  })
  cleanups.push(() => s.stop())
  return s
}

function nextFailure(s: Server): Promise<unknown> {
  return new Promise((resolve) =>
    s.addEventListener('conn:failed', (e) => resolve(e.detail.error), { once: true }),
  )
}

describe('Server over RLPx: bad input', () => {
  it('fails each bad connection with a typed error and still accepts a good peer', async () => {
    const target = server(true)
    await target.start()
    const port = target.listenAddress?.port as number

    let failed = nextFailure(target)
    ;(await rawSocket(port)).write(Buffer.concat([Buffer.from([0x01, 0x00]), randomBytes(256)]))
    expect(await failed).toMatchObject({ code: 'ERR_ECIES' })

    failed = nextFailure(target)
    const bad = await handshaken(port, target.id)
    const frame = bad.writer.encode(0x00, new Uint8Array(40))
    frame[40]! ^= 1
    bad.socket.write(frame)
    const err = await failed
    expect(err).toBeInstanceOf(RlpxError)
    expect(err).toMatchObject({ code: 'ERR_BAD_MAC' })

    const good = server(false, [new Node({ id: target.id, ip: '127.0.0.1', udp: port, tcp: port })])
    const added = new Promise<void>((r) =>
      target.addEventListener('peer:added', () => r(), { once: true }),
    )
    await good.start()
    await added
    expect(target.peerCount()).toBe(1)
  })
})
