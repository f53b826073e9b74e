// A worker process of the session benchmarks: one node of one implementation
// (`endpoint.ts <impl>`), listening or dialing, driven by the parent (sessions.ts, memory.ts)
// over IPC. The listener verifies every bulk payload and acknowledges each batch; the dialer
// sends, and times, on its side of the process boundary.
import { performance } from 'node:perf_hooks'
import { emit, serveWorker, settledMemory } from '../../../bench/worker.ts'
import type { BenchNode, BenchSession, Impl } from './node.ts'
import { ejsNode } from './node-ejs.ts'
import { oursNode } from './node-ours.ts'
import { benchCodes, PayloadVerifier, payloadBlock, readIndex, stamp, u32 } from './payload.ts'

const impl = process.argv[2] as Impl
const node: BenchNode = impl === 'ethereumjs' ? ejsNode() : await oursNode(impl)

// Receiving (listener) side.
let verifier: PayloadVerifier | undefined
let batch = 1
let expected = 0
let removed = 0
let onRemovedChange = () => {}
let onInbound = () => {}
const inbound: BenchSession[] = []
node.onRemoved = () => {
  removed++
  onRemovedChange()
}
node.onSession = (s) => {
  inbound.push(s)
  void s.closed.then(() => inbound.splice(inbound.indexOf(s), 1))
  s.onMessage = (code, payload) => {
    if (code === benchCodes.data && verifier) {
      verifier.check(payload)
      const n = verifier.received
      if (n % batch === 0 || n === expected) void s.send(benchCodes.ack, u32(Math.ceil(n / batch)))
    } else if (code === benchCodes.ping) void s.send(benchCodes.pong, payload)
  }
  onInbound()
}

// Dialing (sender) side.
const sessions: BenchSession[] = []
let acked = 0
let onAck = () => {}
let onPong: (p: Uint8Array) => void = () => {}
function track(s: BenchSession): number {
  s.onMessage = (code, payload) => {
    if (code === benchCodes.ack) {
      acked = readIndex(payload)
      onAck()
    } else if (code === benchCodes.pong) onPong(payload)
  }
  sessions.push(s)
  return sessions.length - 1
}
const until = (cond: () => boolean, set: (wake: () => void) => void) =>
  new Promise<void>((resolve) => {
    if (cond()) return resolve()
    set(() => {
      if (cond()) resolve()
    })
  })

interface BulkArg {
  session: number
  size: number
  seed: number
  count: number
  batch: number
  window: number
}

serveWorker({
  async listen({ maxPeers }: { maxPeers: number }) {
    return { port: await node.listen(maxPeers), id: node.id }
  },
  id: () => node.id,
  async dial(a: { id: Uint8Array; port: number }) {
    return track(await node.dial(a.id, a.port, { ready: 'session' }))
  },
  /** Listener: verify the next `count` data messages against (size, seed); ack every `batch`. */
  expect(a: { size: number; seed: number; count: number; batch: number }) {
    verifier = new PayloadVerifier(a.size, a.seed)
    batch = a.batch
    expected = a.count
  },
  receiverStats: () => ({ received: verifier?.received ?? 0, bad: verifier?.bad ?? 0 }),
  /** Sender: `count` messages, at most `window` unacknowledged batches; ms until the last ack. */
  async bulk(a: BulkArg) {
    const s = sessions[a.session] as BenchSession
    const block = payloadBlock(a.size, a.seed)
    const batches = Math.ceil(a.count / a.batch)
    acked = 0
    const start = performance.now()
    for (let i = 0; i < a.count; i++) {
      if (i % a.batch === 0) {
        const k = i / a.batch
        await until(
          () => k - acked < a.window,
          (w) => {
            onAck = w
          },
        )
      }
      await s.send(benchCodes.data, stamp(block, i))
    }
    await until(
      () => acked >= batches,
      (w) => {
        onAck = w
      },
    )
    return { ms: performance.now() - start }
  },
  /** Sender: `n` sequential echoes of `size` bytes; each round trip in ms. Checks each echo. */
  async latency(a: { session: number; n: number; size: number; seed: number }) {
    const s = sessions[a.session] as BenchSession
    const block = payloadBlock(a.size, a.seed)
    const rtts: number[] = []
    let bad = 0
    for (let i = 0; i < a.n; i++) {
      const want = Buffer.from(stamp(block, i))
      const echoed = new Promise<Uint8Array>((r) => {
        onPong = r
      })
      const t = performance.now()
      await s.send(benchCodes.ping, block)
      const got = await echoed
      rtts.push(performance.now() - t)
      if (!want.equals(got)) bad++
    }
    return { rtts, bad }
  },
  /** Dialer: one handshake (connect, RLPx auth/ack, hello), ms; then disconnects and waits. */
  async handshake(a: { id: Uint8Array; port: number }) {
    const t = performance.now()
    const s = await node.dial(a.id, a.port, { ready: 'hello' })
    const ms = performance.now() - t
    s.disconnect()
    await s.closed
    return ms
  },
  /** Listener: resolves once `count` inbound peers have been removed since start. */
  waitRemoved: ({ count }: { count: number }) =>
    until(
      () => removed >= count,
      (w) => {
        onRemovedChange = w
      },
    ),
  /** Listener: resolves once `count` inbound sessions are ready. */
  waitSessions: ({ count }: { count: number }) =>
    until(
      () => inbound.length >= count,
      (w) => {
        onInbound = w
      },
    ),
  /** Dialer: `n` sessions, each from a fresh key, `concurrency` handshakes at a time. */
  async openSessions(a: { id: Uint8Array; port: number; n: number; concurrency: number }) {
    let next = 0
    const one = async () => {
      while (next < a.n) {
        next++
        track(await node.dial(a.id, a.port, { ready: 'session', freshKey: true }))
      }
    }
    await Promise.all(Array.from({ length: a.concurrency }, one))
    emit('opened', sessions.length)
    return sessions.length
  },
  /** Dialer: disconnects every session it opened and waits until each is removed. */
  async stopSessions() {
    const all = sessions.splice(0)
    for (const s of all) s.disconnect()
    await Promise.all(all.map((s) => s.closed))
  },
  async memory() {
    return { ...(await settledMemory()), sessions: node.sessionCount() }
  },
  async stop() {
    for (const s of sessions) s.disconnect()
    await node.stop()
  },
})
