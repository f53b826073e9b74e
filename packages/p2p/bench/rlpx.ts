// RLPx sessions, ours against @ethereumjs/devp2p: bulk one-way throughput (1 KiB, 64 KiB, 1 MiB
// messages), round-trip latency, and sequential handshakes. Each library is driven through its
// public API (ours: Server + connectPeer + a protocol; ethereumjs: RLPx + Peer + ETH eth/68),
// snappy on, with the sender and the receiver in two processes (endpoint.ts) on loopback TCP.
// Every payload is checked by the receiver; a warm-up precedes each timed part; each figure is
// measured `--reps` times (default 3) with the implementations' order alternated, and reported
// as min/median/max with the machine's load. `pnpm bench rlpx [size…]` limits the bulk sizes.
import { fileURLToPath } from 'node:url'
import {
  alternate,
  pick,
  quantile,
  ratio,
  repeat,
  type Stats,
  stats,
} from '../../../bench/harness.ts'
import { recordResult } from '../../../bench/record.ts'
import { spawnWorker, type Worker } from '../../../bench/worker.ts'
import { type Impl, impls } from './node.ts'

const MiB = 1024 * 1024
const endpoint = fileURLToPath(new URL('./endpoint.ts', import.meta.url))
const out = (s: string) => process.stdout.write(`${s}\n`)
const r1 = (x: number) => Math.round(x * 10) / 10

interface Pair {
  listener: Worker
  dialer: Worker
  id: Uint8Array
  port: number
}

async function pair(impl: Impl): Promise<Pair> {
  const listener = await spawnWorker(endpoint, [impl])
  const dialer = await spawnWorker(endpoint, [impl])
  const { id, port } = await listener.call<{ id: Uint8Array; port: number }>('listen', {
    maxPeers: 50,
  })
  return { listener, dialer, id, port }
}

/** Sends `bytes` in `size`-byte messages; checks the receiver verified every one; MB/s. */
async function transfer(p: Pair, session: number, size: number, bytes: number, seed: number) {
  const count = Math.max(4, Math.floor(bytes / size))
  // One ack per MiB (per 16 KiB in quick mode, so the window is exercised there too).
  const batch = Math.max(1, Math.floor(pick(MiB, 16 * 1024) / size))
  await p.listener.call('expect', { size, seed, count, batch })
  const { ms } = await p.dialer.call<{ ms: number }>('bulk', {
    session,
    size,
    seed,
    count,
    batch,
    window: 4,
  })
  const got = await p.listener.call<{ received: number; bad: number }>('receiverStats')
  if (got.received !== count || got.bad !== 0)
    throw new Error(`bulk ${size} B: receiver got ${got.received}/${count}, ${got.bad} corrupted`)
  return { mbs: (count * size) / MiB / (ms / 1000), msgs: (count / ms) * 1000, count }
}

interface RepResult {
  bulk: Record<string, { mbs: number; msgs: number }>
  latency: { p50: number; p99: number; n: number }
  handshakesPerS: number
  handshakes: number
}

async function measure(impl: Impl, rep: number, sizes: number[]): Promise<RepResult> {
  const p = await pair(impl)
  try {
    const session = await p.dialer.call<number>('dial', { id: p.id, port: p.port })
    const bulk: RepResult['bulk'] = {}
    for (const size of alternate(sizes, rep)) {
      const total = pick(size < 4096 ? 16 * MiB : 64 * MiB, 256 * 1024)
      await transfer(p, session, size, pick(4 * MiB, 64 * 1024), 1000 + rep) // warm-up
      const r = await transfer(p, session, size, total, 2000 + rep)
      bulk[`${size}B`] = r
      out(`  ${impl} bulk ${size} B: ${r1(r.mbs)} MB/s (${r.count} messages, verified)`)
    }
    // Up to 2,000 echoes, at least 300 (p99 needs them), at most ~20 s once 300 are in.
    const lat = (count: number, maxMs?: number) =>
      p.dialer.call<{ rtts: number[]; bad: number }>('latency', {
        session,
        n: count,
        size: 64,
        seed: 7,
        ...(maxMs === undefined ? {} : { maxMs, minN: pick(300, 5) }),
      })
    await lat(pick(50, 5)) // warm-up
    const { rtts, bad } = await lat(pick(2000, 20), pick(20_000, 500))
    if (bad > 0) throw new Error(`latency: ${bad} echoes differ`)
    const latency = { p50: quantile(rtts, 0.5), p99: quantile(rtts, 0.99), n: rtts.length }
    out(
      `  ${impl} round trip 64 B: p50 ${latency.p50.toFixed(3)} ms, p99 ${latency.p99.toFixed(3)} ms`,
    )

    // Handshakes: the bulk session goes first (same dialer key), then one dial at a time; the
    // next dial waits until the listener has removed the previous peer (outside the timing).
    await p.dialer.call('stopSessions')
    await p.listener.call('waitRemoved', { count: 1 })
    let removed = 1
    const once = async () => {
      const ms = await p.dialer.call<number>('handshake', { id: p.id, port: p.port })
      await p.listener.call('waitRemoved', { count: ++removed })
      return ms
    }
    for (let i = 0; i < pick(3, 1); i++) await once() // warm-up
    const times: number[] = []
    const minMs = pick(3000, 100)
    let spent = 0
    while (times.length < pick(10, 2) || spent < minMs) {
      const ms = await once()
      times.push(ms)
      spent += ms
    }
    const handshakesPerS = (times.length / spent) * 1000
    out(`  ${impl} handshakes: ${r1(handshakesPerS)}/s (${times.length} sequential)`)
    return { bulk, latency, handshakesPerS, handshakes: times.length }
  } finally {
    await p.dialer.stop()
    await p.listener.stop()
  }
}

export async function run(args?: number[]): Promise<void> {
  const sizes = args ?? pick([1024, 64 * 1024, MiB], [1024, 64 * 1024])
  const { values, load } = await repeat(impls, (impl, rep) => measure(impl, rep, sizes))
  const bulk: Record<string, Record<string, { mb_per_s: Stats; msgs_per_s: Stats }>> = {}
  for (const size of sizes) {
    const key = `${size}B`
    bulk[key] = {}
    for (const impl of impls) {
      const reps = values[impl].map((v) => v.bulk[key]!)
      bulk[key][impl] = {
        mb_per_s: stats(reps.map((r) => r.mbs)),
        msgs_per_s: stats(reps.map((r) => r.msgs)),
      }
    }
  }
  const per = <T>(f: (v: RepResult) => T) =>
    Object.fromEntries(impls.map((i) => [i, values[i].map(f)])) as Record<Impl, T[]>
  const latencyMs = Object.fromEntries(
    impls.map((i) => [
      i,
      { p50: stats(per((v) => v.latency.p50)[i]), p99: stats(per((v) => v.latency.p99)[i]) },
    ]),
  )
  const handshakes = Object.fromEntries(
    impls.map((i) => [i, stats(per((v) => v.handshakesPerS)[i])]),
  ) as Record<Impl, Stats>
  const ratios: Record<string, number> = {}
  for (const size of sizes) {
    const b = bulk[`${size}B`]!
    ratios[`bulk_${size}B_fast_vs_ejs`] = ratio(b['ours-fast']!.mb_per_s, b.ethereumjs!.mb_per_s)
    ratios[`bulk_${size}B_noble_vs_ejs`] = ratio(b['ours-noble']!.mb_per_s, b.ethereumjs!.mb_per_s)
  }
  ratios.handshakes_fast_vs_ejs = ratio(handshakes['ours-fast'], handshakes.ethereumjs)
  ratios.handshakes_noble_vs_ejs = ratio(handshakes['ours-noble'], handshakes.ethereumjs)
  out(`ratios (of medians): ${JSON.stringify(ratios)}`)
  const file = recordResult(
    'rlpx',
    {
      'ours-fast': 'wasm-keccak+libsecp256k1 (useFastCrypto)',
      'ours-noble': 'noble (the default)',
      ethereumjs: '@ethereumjs/devp2p 10.0.0 RLPx + Peer + ETH (its noble-based crypto)',
    },
    {
      schema: 2,
      quick: pick(false, true),
      method:
        'each library through its public API (ours: Server + connectPeer + an eth/68-shaped protocol with send/decodeRlp; ethereumjs: RLPx + Peer + ETH eth/68 after its Status exchange), snappy on, sender and receiver in separate processes on loopback TCP; payloads pseudo-random (incompressible) [bytes] lists, each verified by the receiver; bulk: one ack per MiB, 4 MiB in flight, timed from the first send to the last ack, after a warm-up transfer in the same session; latency: sequential 64 B echoes after a warm-up (2,000, or at least 300 within ~20 s); handshakes: sequential dials (connect + auth/ack + hello), each timed at the dialer until its hello exchange completes, the next after the listener removed the previous peer; every figure min/median/max over the repetitions, implementations alternated',
      repetitions: values['ours-fast'].length,
      load,
      bulk,
      latency_ms: latencyMs,
      handshakes_per_s: handshakes,
      ratios,
    },
  )
  out(`wrote ${file}`)
}
