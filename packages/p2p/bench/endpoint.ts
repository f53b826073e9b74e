// A worker process of the session benchmarks: one node of one implementation
// (`endpoint.ts <impl>`), listening or dialing, driven by the parent (sessions.ts, memory.ts)
// over IPC. The listener verifies every bulk payload and acknowledges each batch; the dialer
// sends, and times, on its side of the process boundary.
import { readdirSync } from 'node:fs'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { emit, serveWorker, settledMemory } from '../../../bench/worker.ts'
import type { BenchNode, BenchSession, Impl } from './node.ts'
import { ejsNode } from './node-ejs.ts'
import { oursNode } from './node-ours.ts'
import { benchCodes, PayloadVerifier, payloadBlock, readIndex, stamp, u32 } from './payload.ts'

const impl = process.argv[2] as Impl
const node: BenchNode = impl === 'ethereumjs' ? ejsNode() : await oursNode(impl)

// Receiving (listener) side: each session's data is checked by its own verifier.
let expecting: { size: number; seed: number; count: number; batch: number } | undefined
let verifiers = new Map<BenchSession, PayloadVerifier>()
let removed = 0
let onRemovedChange = () => {}
let onInbound = () => {}
const inbound: BenchSession[] = []
let closedTotals = { received: 0, bad: 0 } // of sessions that have ended
node.onRemoved = () => {
  removed++
  onRemovedChange()
}
node.onSession = (s) => {
  inbound.push(s)
  void s.closed.then(() => {
    inbound.splice(inbound.indexOf(s), 1)
    const v = verifiers.get(s)
    if (v)
      closedTotals = { received: closedTotals.received + v.received, bad: closedTotals.bad + v.bad }
    verifiers.delete(s)
  })
  s.onMessage = (code, payload) => {
    if (code === benchCodes.data && expecting) {
      const { size, seed, count, batch } = expecting
      const v = verifiers.get(s) ?? new PayloadVerifier(size, seed)
      verifiers.set(s, v)
      v.check(payload)
      const n = v.received
      if (n % batch === 0 || n === count) void s.send(benchCodes.ack, u32(Math.ceil(n / batch)))
    } else if (code === benchCodes.ping) void s.send(benchCodes.pong, payload)
  }
  onInbound()
}

// Dialing (sender) side: each session's acks and echoes.
interface Sending {
  s: BenchSession
  acked: number
  onAck: () => void
  onPong: (p: Uint8Array) => void
}
const sessions: (Sending | undefined)[] = []
function track(s: BenchSession): number {
  const t: Sending = { s, acked: 0, onAck: () => {}, onPong: () => {} }
  s.onMessage = (code, payload) => {
    if (code === benchCodes.ack) {
      t.acked = readIndex(payload)
      t.onAck()
    } else if (code === benchCodes.pong) t.onPong(payload)
  }
  sessions.push(t)
  return sessions.length - 1
}
function sending(i: number): Sending {
  const t = sessions[i]
  if (!t) throw new Error(`no session ${i}`)
  return t
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
  /** Index of the first message (a session's data continues across calls). */
  offset?: number
  size: number
  seed: number
  count: number
  batch: number
  window: number
}

function receiverStats() {
  let { received, bad } = closedTotals
  for (const v of verifiers.values()) {
    received += v.received
    bad += v.bad
  }
  return { received, bad }
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()

serveWorker({
  async listen({ maxPeers }: { maxPeers: number }) {
    return { port: await node.listen(maxPeers), id: node.id }
  },
  id: () => node.id,
  async dial(a: { id: Uint8Array; port: number; freshKey?: boolean }) {
    return track(await node.dial(a.id, a.port, { ready: 'session', freshKey: a.freshKey ?? false }))
  },
  /** Dialer: ends session `i` and waits until it is removed. */
  async closeSession({ i }: { i: number }) {
    const t = sending(i)
    sessions[i] = undefined
    t.s.disconnect()
    await t.s.closed
  },
  /** Listener: verify the next `count` data messages against (size, seed); ack every `batch`. */
  expect(a: { size: number; seed: number; count: number; batch: number }) {
    expecting = a
    verifiers = new Map()
    closedTotals = { received: 0, bad: 0 }
  },
  receiverStats,
  /** Sender: `count` messages, at most `window` unacknowledged batches; ms until the last ack. */
  async bulk(a: BulkArg) {
    const t = sending(a.session)
    const block = payloadBlock(a.size, a.seed)
    const first = a.offset ?? 0
    const end = first + a.count
    if (first === 0) t.acked = 0 // a new stream (the receiver's verifiers were reset)
    const onAck = (w: () => void) => {
      t.onAck = w
    }
    const start = performance.now()
    for (let i = first; i < end; i++) {
      if (i % a.batch === 0) {
        const k = i / a.batch
        await until(() => k - t.acked < a.window, onAck)
      }
      await t.s.send(benchCodes.data, stamp(block, i))
    }
    await until(() => t.acked >= Math.ceil(end / a.batch), onAck)
    return { ms: performance.now() - start }
  },
  /** Sender: `n` sequential echoes of `size` bytes; each round trip in ms. Checks each echo. */
  async latency(a: {
    session: number
    n: number
    size: number
    seed: number
    /** Stop after this many ms once `minN` echoes are in (ethereumjs's take ~90 ms each). */
    maxMs?: number
    minN?: number
  }) {
    const t = sending(a.session)
    const block = payloadBlock(a.size, a.seed)
    const rtts: number[] = []
    let bad = 0
    const start = performance.now()
    for (let i = 0; i < a.n; i++) {
      if (a.maxMs !== undefined && i >= (a.minN ?? 0) && performance.now() - start > a.maxMs) break
      const want = Buffer.from(stamp(block, i))
      const echoed = new Promise<Uint8Array>((r) => {
        t.onPong = r
      })
      const at = performance.now()
      await t.s.send(benchCodes.ping, block)
      const got = await echoed
      rtts.push(performance.now() - at)
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
    const all = sessions.splice(0).filter((t) => t !== undefined)
    for (const t of all) t.s.disconnect()
    await Promise.all(all.map((t) => t.s.closed))
  },
  async memory() {
    return { ...(await settledMemory()), sessions: node.sessionCount() }
  },
  /** Listener, during a soak: memory without GC, open FDs, event-loop delay since last sample. */
  sample() {
    const m = process.memoryUsage()
    const r = {
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      fds: readdirSync('/proc/self/fd').length,
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
      sessions: inbound.length,
      ...receiverStats(),
    }
    loopDelay.reset()
    return r
  },
  async stop() {
    for (const t of sessions) t?.s.disconnect()
    await node.stop()
  },
})
