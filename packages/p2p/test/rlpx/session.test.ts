import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { TimeoutError } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { generatePrivateKey, nodeIdFromPrivateKey } from '@x/discover'
import { describe, expect, it } from 'vitest'
import { type RlpxConnection, RlpxError, rlpxAccept, rlpxConnect } from '../../src/index.js'
import { rlpxFixture, type TestListener, tcpHandles } from './helpers.js'

const { cleanups, listener } = rlpxFixture()

async function pair(): Promise<{ a: RlpxConnection; b: RlpxConnection; l: TestListener }> {
  const l = await listener()
  const key = generatePrivateKey()
  const a = await rlpxConnect({ privateKey: key, remoteId: l.id, host: '127.0.0.1', port: l.port })
  const b = await l.next()
  cleanups.push(() => {
    a.close()
    b.close()
  })
  expect(a.remoteId).toEqual(l.id)
  expect(b.remoteId).toEqual(nodeIdFromPrivateKey(key))
  return { a, b, l }
}

const rand = (n: number) => new Uint8Array(randomBytes(n))

describe('RLPx session over loopback TCP', () => {
  it('handshakes and carries messages both ways, in order, up to 1 MiB', async () => {
    const { a, b } = await pair()
    expect(a.remoteAddress.ip).toBe('127.0.0.1')
    const sent = [rand(0), rand(5), rand(1024), rand(1 << 20), rand(70_000)]
    for (const [i, p] of sent.entries()) void a.writeMsg(0x10 + i, p)
    for (const [i, p] of sent.entries()) {
      const m = await b.readMsg()
      expect(m.code).toBe(0x10 + i)
      expect(m.size).toBe(p.length)
      expect(Buffer.compare(m.payload, p)).toBe(0)
      expect(m.receivedAt).toBeGreaterThan(0)
    }
    await b.writeMsg(0, new Uint8Array([0xc0]))
    const back = await a.readMsg()
    expect(back.code).toBe(0)
    expect(back.payload).toEqual(new Uint8Array([0xc0]))
  })

  it('with snappy on both sides, payloads round-trip (compressible and random)', async () => {
    const { a, b } = await pair()
    a.setSnappy(true)
    b.setSnappy(true)
    const payloads = [new Uint8Array(100_000).fill(7), rand(3000), rand(0)]
    for (const p of payloads) await a.writeMsg(3, p)
    for (const p of payloads) expect((await b.readMsg()).payload).toEqual(p)
  })

  it('accepts an uncompressed Disconnect with snappy on (ethereumjs sends those)', async () => {
    const { a, b } = await pair()
    b.setSnappy(true)
    for (const payload of [[0xc1, 0x08], [0xc1, 0x80], [0x04]]) {
      await a.writeMsg(0x01, new Uint8Array(payload))
      expect((await b.readMsg()).payload).toEqual(new Uint8Array(payload))
    }
  })

  it('a write queued before setSnappy goes out as it was written', async () => {
    const { a, b } = await pair()
    const first = a.writeMsg(0x10, new Uint8Array([1, 2, 3]))
    a.setSnappy(true)
    const second = a.writeMsg(0x11, new Uint8Array([4, 5, 6]))
    await Promise.all([first, second])
    expect((await b.readMsg()).payload).toEqual(new Uint8Array([1, 2, 3]))
    b.setSnappy(true)
    expect((await b.readMsg()).payload).toEqual(new Uint8Array([4, 5, 6]))
  })

  it('close is idempotent; the remote reads what was sent, then ERR_CONN_CLOSED', async () => {
    const before = tcpHandles()
    const { a, b } = await pair()
    await a.writeMsg(1, new Uint8Array([0xc1, 0x08]))
    a.close()
    a.close()
    expect(a.closed).toBe(true)
    await expect(a.readMsg()).rejects.toMatchObject({ code: 'ERR_CONN_CLOSED' })
    await expect(a.writeMsg(2, new Uint8Array(0))).rejects.toBeInstanceOf(RlpxError)
    expect((await b.readMsg()).code).toBe(1)
    await expect(b.readMsg()).rejects.toMatchObject({ code: 'ERR_CONN_CLOSED' })
    b.close()
    expect(tcpHandles()).toBeLessThanOrEqual(before + 1) // the listener's server handle
  })

  it('dialing with the wrong expected key fails with ERR_UNEXPECTED_IDENTITY', async () => {
    const l = await listener()
    const wrong = nodeIdFromPrivateKey(generatePrivateKey())
    const dial = rlpxConnect({
      privateKey: generatePrivateKey(),
      remoteId: wrong,
      host: '127.0.0.1',
      port: l.port,
    })
    await expect(dial).rejects.toMatchObject({ code: 'ERR_UNEXPECTED_IDENTITY' })
    await expect(l.next()).rejects.toMatchObject({ code: 'ERR_ECIES' })
  })

  it('a refused dial fails with ERR_CONN_CLOSED', async () => {
    const l = await listener()
    const port = l.port
    await l.close()
    const dial = rlpxConnect({
      privateKey: generatePrivateKey(),
      remoteId: l.id,
      host: '127.0.0.1',
      port,
    })
    await expect(dial).rejects.toMatchObject({ code: 'ERR_CONN_CLOSED' })
  })

  it('an aborted dial rejects with the abort reason', async () => {
    const l = await listener()
    const ac = new AbortController()
    const reason = new Error('stop')
    ac.abort(reason)
    const dial = rlpxConnect({
      privateKey: generatePrivateKey(),
      remoteId: l.id,
      host: '127.0.0.1',
      port: l.port,
      signal: ac.signal,
    })
    await expect(dial).rejects.toBe(reason)
  })

  it('a silent initiator hits the 5 s handshake timeout (virtual time)', async () => {
    const clock = new ManualClock()
    const l = await listener({ clock })
    const s = connect({ host: '127.0.0.1', port: l.port })
    cleanups.push(() => {
      s.destroy()
    })
    const timedOut = expect(l.next()).rejects.toBeInstanceOf(TimeoutError)
    await new Promise((r) => s.once('connect', r))
    await clock.advance(4_999)
    await clock.advance(1)
    await timedOut
    expect(clock.pending).toBe(0)
  })

  it('a pending read fails after the frame read timeout, releasing every timer', async () => {
    const clock = new ManualClock()
    const l = await listener({ clock, timeouts: { frameRead: 1000 } })
    const a = await rlpxConnect({
      privateKey: generatePrivateKey(),
      remoteId: l.id,
      host: '127.0.0.1',
      port: l.port,
    })
    cleanups.push(() => a.close())
    const b = await l.next()
    const timedOut = expect(b.readMsg()).rejects.toBeInstanceOf(TimeoutError)
    await clock.advance(1000)
    await timedOut
    await expect(a.readMsg()).rejects.toMatchObject({ code: 'ERR_CONN_CLOSED' })
    expect(clock.pending).toBe(0)
  })

  it('writes wait behind a full socket and fail after the frame write timeout', async () => {
    const clock = new ManualClock()
    const l = await listener({ connection: { maxQueued: 2 } })
    const a = await rlpxConnect({
      privateKey: generatePrivateKey(),
      remoteId: l.id,
      host: '127.0.0.1',
      port: l.port,
      clock,
      timeouts: { frameWrite: 1000 },
      connection: { maxPendingWrites: 2 },
    })
    cleanups.push(() => a.close())
    const b = await l.next() // never reads: its socket pauses, TCP buffers fill up
    cleanups.push(() => b.close())
    const payload = rand(64 * 1024)
    let blocked: Promise<void> | undefined
    for (let i = 0; i < 2000 && !blocked; i++) {
      const w = a.writeMsg(0x10, payload)
      const settled = await Promise.race([
        w.then(() => true),
        new Promise((r) => setImmediate(r, false)),
      ])
      if (!settled) blocked = w
    }
    expect(blocked).toBeDefined()
    // The write that filled the socket buffer waits for its drain; two more wait in order.
    const queued = [a.writeMsg(0x11, payload), a.writeMsg(0x12, payload)]
    const full = await a.writeMsg(0x13, payload).catch((e: unknown) => e)
    expect(full).toMatchObject({ code: 'ERR_WRITE_QUEUE_FULL' }) // maxPendingWrites: 2
    const failed = expect(blocked).rejects.toBeInstanceOf(TimeoutError)
    const failedToo = queued.map((q) => expect(q).rejects.toBeInstanceOf(TimeoutError))
    await clock.advance(1000)
    await failed
    await Promise.all(failedToo)
    expect(a.closed).toBe(true)
    expect(clock.pending).toBe(0)
  })

  it('accepts on a socket given by the caller (rlpxAccept)', async () => {
    const l = await listener()
    const key = generatePrivateKey()
    const a = await rlpxConnect({
      privateKey: key,
      remoteId: l.id,
      host: '127.0.0.1',
      port: l.port,
    })
    cleanups.push(() => a.close())
    const b = await l.next()
    cleanups.push(() => b.close())
    expect(typeof rlpxAccept).toBe('function')
    await a.writeMsg(7, new Uint8Array([1]))
    expect((await b.readMsg()).code).toBe(7)
  })
})
