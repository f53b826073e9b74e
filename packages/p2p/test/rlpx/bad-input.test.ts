import { randomBytes } from 'node:crypto'
import type { Socket } from 'node:net'
import { TimeoutError } from '@x/core'
import { generatePrivateKey } from '@x/discover'
import { describe, expect, it } from 'vitest'
import { type RlpxConnection, RlpxError, rlpxConnect } from '../../src/index.js'
import { listen, rlpxFixture, type TestListener, tcpHandles } from './helpers.js'

// Each bad input ends that one session with a typed error and a closed socket; the listener
// keeps serving others, and nothing (socket, timer) is left behind.

const { listener, rawSocket, handshaken, rawServer } = rlpxFixture()

function closed(s: Socket): Promise<void> {
  return s.destroyed ? Promise.resolve() : new Promise((r) => s.once('close', () => r()))
}

/** A hand-driven initiator on `l` (frames written by hand) and the session `l` accepted. */
async function rawInitiator(l: TestListener) {
  const { socket, writer } = await handshaken(l.port, l.id)
  return { socket, writer, conn: await l.next() }
}

/** The listener still completes a good handshake and carries a message. */
async function stillServes(l: TestListener): Promise<void> {
  const a = await rlpxConnect({
    privateKey: generatePrivateKey(),
    remoteId: l.id,
    host: '127.0.0.1',
    port: l.port,
  })
  const b = await l.next()
  await a.writeMsg(5, new Uint8Array([0xc0]))
  expect((await b.readMsg()).code).toBe(5)
  a.close()
  b.close()
}

async function expectSessionError(conn: RlpxConnection, code: string) {
  await expect(conn.readMsg()).rejects.toMatchObject({ code })
  expect(conn.closed).toBe(true)
}

describe('RLPx bad input', () => {
  it('garbage auth: ERR_ECIES / ERR_BAD_HANDSHAKE, socket closed, listener serves on', async () => {
    const l = await listener()
    const garbage = [
      Buffer.concat([Buffer.from([0x01, 0x00]), randomBytes(256)]), // EIP-8 size, random body
      Buffer.alloc(1030, 4), // neither legacy ECIES nor an EIP-8 packet of 0x0404 bytes
      Buffer.from([0x00, 0x05, 1, 2, 3, 4, 5]), // size below the ECIES overhead
    ]
    for (const g of garbage) {
      const s = await rawSocket(l.port)
      const accepted = l.next()
      s.write(g)
      const err = await accepted.catch((e: unknown) => e)
      expect(err).toBeInstanceOf(RlpxError)
      expect(['ERR_ECIES', 'ERR_BAD_HANDSHAKE']).toContain((err as RlpxError).code)
      await closed(s)
    }
    await stillServes(l)
  })

  it('an auth announcing 64 KiB and sending garbage is cut off at the packet bound', async () => {
    const l = await listener()
    const s = await rawSocket(l.port)
    const accepted = l.next()
    s.write(Buffer.concat([Buffer.from([0xff, 0xff]), randomBytes(70_000)]))
    await expect(accepted).rejects.toBeInstanceOf(RlpxError)
    await closed(s)
    await stillServes(l)
  })

  it('a truncated ack ends the dial with ERR_BAD_HANDSHAKE', async () => {
    const port = await rawServer((s) => s.once('data', () => s.end(randomBytes(100))))
    const l = await listener() // only for a valid remote key
    const dial = rlpxConnect({
      privateKey: generatePrivateKey(),
      remoteId: l.id,
      host: '127.0.0.1',
      port,
    })
    await expect(dial).rejects.toMatchObject({ code: 'ERR_BAD_HANDSHAKE' })
  })

  it('a flipped MAC bit ends the session with ERR_BAD_MAC', async () => {
    const l = await listener()
    for (const at of [3, 20, 40, 60]) {
      const { socket, writer, conn } = await rawInitiator(l)
      const frame = writer.encode(0x10, new Uint8Array(16))
      frame[at]! ^= 1
      socket.write(frame)
      await expectSessionError(conn, 'ERR_BAD_MAC')
      await closed(socket)
    }
    await stillServes(l)
  })

  it('a frame larger than the limit ends the session with ERR_FRAME_TOO_LARGE', async () => {
    const l = await listener({ connection: { maxFrameSize: 1024 } })
    const { socket, writer, conn } = await rawInitiator(l)
    socket.write(writer.encode(0x10, new Uint8Array(2000)))
    await expectSessionError(conn, 'ERR_FRAME_TOO_LARGE')
    await closed(socket)
    await stillServes(l)
  })

  it('a truncated frame followed by a hang-up ends the session with ERR_CONN_CLOSED', async () => {
    const l = await listener()
    const { socket, writer, conn } = await rawInitiator(l)
    socket.end(writer.encode(0x10, new Uint8Array(100)).subarray(0, 70))
    await expectSessionError(conn, 'ERR_CONN_CLOSED')
    await stillServes(l)
  })

  it('a snappy bomb (4 GiB declared) is refused before allocation with ERR_MSG_TOO_LARGE', async () => {
    const l = await listener()
    const { socket, writer, conn } = await rawInitiator(l)
    conn.setSnappy(true)
    socket.write(writer.encode(0x10, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0x41])))
    await expectSessionError(conn, 'ERR_MSG_TOO_LARGE')
    await closed(socket)
    await stillServes(l)
  })

  it('malformed snappy data ends the session with ERR_SNAPPY', async () => {
    const l = await listener()
    const { socket, writer, conn } = await rawInitiator(l)
    conn.setSnappy(true)
    socket.write(writer.encode(0x10, new Uint8Array([0x04, 0x00, 0x61, 0x01, 0x05])))
    await expectSessionError(conn, 'ERR_SNAPPY')
    await closed(socket)
  })

  it('a message over 16 MiB is refused on write without ending the session', async () => {
    const l = await listener()
    const { conn } = await rawInitiator(l)
    await expect(conn.writeMsg(1, new Uint8Array(16 * 1024 * 1024 + 1))).rejects.toMatchObject({
      code: 'ERR_MSG_TOO_LARGE',
    })
    expect(conn.closed).toBe(false)
    conn.close()
  })

  it('leaves no TCP handle behind once everything is closed', async () => {
    const before = tcpHandles()
    const l = await listen()
    const { socket, writer, conn } = await rawInitiator(l)
    socket.write(writer.encode(0x10, new Uint8Array(16)).fill(0, 20, 30))
    await expectSessionError(conn, 'ERR_BAD_MAC')
    await stillServes(l)
    await l.close()
    socket.destroy()
    await new Promise((r) => setImmediate(r))
    expect(tcpHandles()).toBe(before)
  })

  it('the handshake timeout is a TimeoutError (real clock, short timeout)', async () => {
    const l = await listener({ timeouts: { handshake: 50 } })
    const s = await rawSocket(l.port)
    await expect(l.next()).rejects.toBeInstanceOf(TimeoutError)
    await closed(s)
  })
})
