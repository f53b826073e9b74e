import { generatePrivateKey, nodeIdFromPrivateKey } from '@x/discover'
import { describe, expect, it } from 'vitest'
import {
  baseProtocolVersion,
  DisconnectReason,
  decodeDisconnect,
  disconnectCode,
  encodeHello,
  expectMsg,
  type Hello,
  helloCode,
  protoHandshake,
  rlpxConnect,
  snappyUncompress,
} from '../../src/index.js'
import { expectNoLeakedHandles } from '../handles.js'
import { rlpxFixture } from '../rlpx/helpers.js'

expectNoLeakedHandles()
const { cleanups, listener, handshaken } = rlpxFixture()

const helloOf = (id: Uint8Array): Hello => ({
  version: baseProtocolVersion,
  clientId: 'strict',
  caps: [{ name: 'eth', version: 68 }],
  listenPort: 0,
  id,
})

describe('strict decoding of the base protocol over RLPx', () => {
  it('a Hello whose message code is the byte 0x00 (not RLP 0x80) ends the session', async () => {
    const l = await listener()
    const key = generatePrivateKey()
    const { socket, writer } = await handshaken(l.port, l.id)
    const conn = await l.next()
    cleanups.push(() => conn.close())
    const hello = encodeHello(helloOf(nodeIdFromPrivateKey(key)))
    socket.write(writer.encodeContent(Uint8Array.of(0x00), hello))
    await expect(conn.readMsg()).rejects.toMatchObject({ code: 'ERR_BAD_FRAME' })
    expect(conn.closed).toBe(true)
  })

  it('the same Hello with code 0x80 is read as a Hello', async () => {
    const l = await listener()
    const key = generatePrivateKey()
    const { socket, writer } = await handshaken(l.port, l.id)
    const conn = await l.next()
    cleanups.push(() => conn.close())
    socket.write(
      writer.encodeContent(Uint8Array.of(0x80), encodeHello(helloOf(nodeIdFromPrivateKey(key)))),
    )
    expect((await conn.readMsg()).code).toBe(helloCode)
  })

  it('the Disconnect for a v5 Hello with the wrong identity is snappy-compressed', async () => {
    const l = await listener()
    const remote = await rlpxConnect({
      privateKey: generatePrivateKey(),
      remoteId: l.id,
      host: '127.0.0.1',
      port: l.port,
    })
    const conn = await l.next()
    cleanups.push(() => {
      remote.close()
      conn.close()
    })
    const ours = protoHandshake(conn, helloOf(l.id))
    ours.catch(() => {})
    await remote.writeMsg(
      helloCode,
      encodeHello(helloOf(nodeIdFromPrivateKey(generatePrivateKey()))),
    )
    await expect(ours).rejects.toMatchObject({ reason: DisconnectReason.UnexpectedIdentity })
    await expectMsg(remote, helloCode)
    // Read raw (snappy off here): the payload must be the compressed [0x09].
    const disc = await expectMsg(remote, disconnectCode)
    expect(decodeDisconnect(snappyUncompress(disc.payload, 1024))).toBe(
      DisconnectReason.UnexpectedIdentity,
    )
  })
})
