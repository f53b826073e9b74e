import { randomBytes } from 'node:crypto'
import type { Socket } from 'node:net'
import { generatePrivateKey } from '@x/discover'
import { describe, expect, it } from 'vitest'
import {
  baseProtocolVersion,
  DisconnectReason,
  type Msg,
  type MsgReadWriter,
  Peer,
  type Protocol,
  protoQueueBytes,
  type RlpxConnection,
  rlpxConnect,
  rlpxLimits,
  snappyCompress,
} from '../../src/index.js'
import type { ProtoRW } from '../../src/peer/protorw.js'
import { expectNoLeakedHandles } from '../handles.js'
import { rlpxFixture } from './helpers.js'

expectNoLeakedHandles()
const { cleanups, listener } = rlpxFixture()
const out = (s: string) => process.stdout.write(`${s}\n`)
const MiB = 1024 * 1024

/** `a` dials, `b` accepts; `bSocket` is b's socket (to see it paused). */
async function pair(): Promise<{ a: RlpxConnection; b: RlpxConnection; bSocket: Socket }> {
  const l = await listener()
  const a = await rlpxConnect({
    privateKey: generatePrivateKey(),
    remoteId: l.id,
    host: '127.0.0.1',
    port: l.port,
  })
  const b = await l.next()
  cleanups.push(() => {
    a.close()
    b.close()
  })
  return { a, b, bSocket: l.sockets[0] as Socket }
}

/** 1 MiB that snappy shrinks about twentyfold. */
function compressible(): Uint8Array {
  const p = new Uint8Array(MiB)
  for (let i = 0; i < p.length; i += 4096) p[i] = i & 0xff
  return p
}

/**
 * Streams `payload` from `writer` with a plain await loop until the stream stalls (a write
 * pending for `stallTurns` turns of the event loop while `stalled()` holds) or `max` writes;
 * `sample` runs on every turn. Returns how many writes completed.
 */
async function streamUntilStalled(
  write: () => Promise<void>,
  stalled: () => boolean,
  sample: () => void,
  max: number,
  stallTurns = 200,
): Promise<number> {
  let done = 0
  let failed = false
  const writing = (async () => {
    for (; done < max; done++) await write()
  })().catch(() => {
    failed = true
  })
  let last = -1
  let quiet = 0
  while (done < max && !failed && quiet < stallTurns) {
    await new Promise((r) => setImmediate(r))
    sample()
    quiet = done === last && stalled() ? quiet + 1 : 0
    last = done
  }
  void writing
  return done
}

describe('back-pressure from the socket to the protocol, in bytes', () => {
  it('a session that does not read holds at most maxQueuedBytes + one message of 1 MiB compressible messages', async () => {
    const { a, b, bSocket } = await pair()
    b.setSnappy(true)
    // The flood is compressed once and sent as is (a's snappy stays off): only b's side counts.
    const payload = compressible()
    const wire = snappyCompress(payload)
    let maxRead = 0
    const heapBefore = process.memoryUsage().heapUsed
    const sent = await streamUntilStalled(
      () => a.writeMsg(0x10, wire),
      () => bSocket.isPaused(),
      () => {
        maxRead = Math.max(maxRead, b.heldBytes.read)
      },
      2000,
    )
    const mem = process.memoryUsage()
    out(
      `compressible flood: ${sent} MiB sent before the stream stalled; receiver held at most ` +
        `${(maxRead / MiB).toFixed(2)} MiB (decompressed) of its ${rlpxLimits.maxQueuedBytes / MiB} MiB bound; ` +
        `heap +${((mem.heapUsed - heapBefore) / MiB).toFixed(1)} MiB, rss ${(mem.rss / MiB).toFixed(0)} MiB`,
    )
    expect(bSocket.isPaused()).toBe(true)
    expect(sent).toBeLessThan(2000) // the sender was slowed down: TCP filled up behind the pause
    // The bound, one message over it, and undecoded bytes of the last socket chunk and frame.
    expect(maxRead).toBeLessThanOrEqual(rlpxLimits.maxQueuedBytes + MiB + 128 * 1024)
    // Reading resumes the stream; every message arrives intact.
    const first = await b.readMsg()
    expect(first.size).toBe(MiB)
    expect(Buffer.compare(first.payload, payload)).toBe(0)
  })

  it('a remote that stops reading leaves at most the socket buffer and one frame written here', async () => {
    const { a, bSocket } = await pair()
    const payload = new Uint8Array(randomBytes(256 * 1024))
    let maxWrite = 0
    const sent = await streamUntilStalled(
      () => a.writeMsg(0x10, payload),
      () => bSocket.isPaused(),
      () => {
        maxWrite = Math.max(maxWrite, a.heldBytes.write)
      },
      2000,
    )
    out(
      `non-reading remote: ${sent} writes of 256 KiB before the stall; our side held at most ` +
        `${(maxWrite / 1024).toFixed(0)} KiB`,
    )
    expect(sent).toBeLessThan(2000)
    expect(a.heldBytes.write).toBeGreaterThan(0) // the write that filled the buffer waits for it
    // The socket's 16 KiB high-water mark plus the frame that crossed it.
    expect(maxWrite).toBeLessThanOrEqual(16 * 1024 + payload.length + 64)
  })

  it('a peer whose protocol does not read holds at most both bounds, then pauses its socket', async () => {
    const { a, b, bSocket } = await pair()
    b.setSnappy(true)
    let rw: ProtoRW | undefined
    const idle: Protocol = {
      name: 'slow',
      version: 1,
      length: 1,
      run: async (_peer, r: MsgReadWriter, signal) => {
        rw = r as ProtoRW
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
      },
    }
    const hello = {
      version: baseProtocolVersion,
      clientId: 'remote',
      caps: [{ name: 'slow', version: 1 }],
      listenPort: 0,
      id: b.remoteId,
    }
    const peer = new Peer(b, hello, { protocols: [idle], inbound: true })
    const running = peer.run()
    const payload = compressible()
    const wire = snappyCompress(payload)
    let maxHeld = 0
    const sent = await streamUntilStalled(
      () => a.writeMsg(0x10, wire), // the protocol's code 0 (offset 16), compressed once
      () => bSocket.isPaused(),
      () => {
        maxHeld = Math.max(maxHeld, b.heldBytes.read + (rw?.queuedBytes ?? 0))
      },
      2000,
    )
    out(
      `peer with a protocol that does not read: ${sent} MiB sent, held at most ` +
        `${(maxHeld / MiB).toFixed(2)} MiB (ProtoRW ${((rw?.queuedBytes ?? 0) / MiB).toFixed(2)} MiB)`,
    )
    expect(bSocket.isPaused()).toBe(true)
    expect(rw?.queuedBytes).toBeGreaterThan(protoQueueBytes)
    expect(maxHeld).toBeLessThanOrEqual(
      protoQueueBytes + MiB + rlpxLimits.maxQueuedBytes + MiB + 128 * 1024,
    )
    // The protocol reads again: messages flow, in order, intact.
    const got: Msg = await (rw as ProtoRW).readMsg()
    expect(Buffer.compare(got.payload, payload)).toBe(0)
    peer.disconnect(DisconnectReason.Requested)
    await running
  })

  it('a peer whose protocols queue more than 16 MiB of writes is dropped, not buffered', async () => {
    const { a, b } = await pair()
    const hello = {
      version: baseProtocolVersion,
      clientId: 'remote',
      caps: [{ name: 'burst', version: 1 }],
      listenPort: 0,
      id: a.remoteId,
    }
    const results: Promise<unknown>[] = []
    const burst: Protocol = {
      name: 'burst',
      version: 1,
      length: 1,
      run: async (_peer, rw: MsgReadWriter) => {
        const payload = new Uint8Array(MiB)
        // Fire and forget: 20 MiB of writes at once, to a remote that does not read.
        for (let i = 0; i < 20; i++) results.push(rw.writeMsg(0, payload).catch((e) => e))
        await Promise.all(results)
      },
    }
    const peer = new Peer(a, hello, { protocols: [burst] })
    const info = await peer.run()
    expect(info.reason).toBe(DisconnectReason.TcpError)
    expect(info.error).toMatchObject({ code: 'ERR_WRITE_QUEUE_FULL' })
    const settled = await Promise.all(results)
    expect(
      settled.filter((r) => (r as { code?: string })?.code === 'ERR_WRITE_QUEUE_FULL'),
    ).toHaveLength(1)
    expect(peer.queuedWriteBytes).toBe(0)
    void b
  })
})
