// The soak (`pnpm soak [--duration=1h] [--out=DIR]`, never in CI): a listening node (our Server,
// fast crypto) under a mixed load from a second process for the whole duration — bulk streams
// (16 KiB messages, ~2 MB/s each, every payload verified), echo sessions (64 B round trips),
// and churn (a new session from a fresh key every 2 s, the oldest closed past 20). Every
// interval it samples the listener's RSS, heap, open FDs and event-loop delay; it writes
// soak.json (samples and a summary: growth over the second half, verification counts) and
// soak.svg (the plot) to bench/results/ or `--out`. `--duration=2m` validates the harness;
// past `--max-rss-mib` (default 4096) the load stops early and the result records why.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadSample, quantile } from '../../../bench/harness.ts'
import { recordResult, resultsDir } from '../../../bench/record.ts'
import { spawnWorker, type Worker } from '../../../bench/worker.ts'
import { type SoakSample, soakSvg } from './soak-svg.ts'

const endpoint = fileURLToPath(new URL('./endpoint.ts', import.meta.url))
const out = (s: string) => process.stdout.write(`${s}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** `1h`, `90m`, `120s` or plain seconds, in ms. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(h|m|s)?$/.exec(text)
  if (!m) throw new Error(`bad --duration ${text}: use e.g. 1h, 2m, 90s`)
  return Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000 }[(m[2] ?? 's') as 'h' | 'm' | 's']
}

const size = 16 * 1024
const seed = 11
const perBatch = 64 // one ack per MiB
const bulkStreams = 4
const echoSessions = 4
const churnKeep = 20

interface Sample extends SoakSample {
  heapExternal: number
  sessions: number
  received: number
  bad: number
  echoP99Ms: number
  handshakes: number
}

/** Least-squares slope of `ys` over `xs` (per unit of x). */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length
  if (n < 2) return 0
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my)
    den += (xs[i]! - mx) ** 2
  }
  return den === 0 ? 0 : num / den
}

async function load(dialer: Worker, id: Uint8Array, port: number, until: () => boolean) {
  const rtts: number[] = []
  let handshakes = 0
  const bulk = async (session: number) => {
    for (let offset = 0; !until(); offset += perBatch) {
      await dialer.call('bulk', {
        session,
        offset,
        size,
        seed,
        count: perBatch,
        batch: perBatch,
        window: 4,
      })
      await sleep(500)
    }
  }
  const echo = async (session: number) => {
    while (!until()) {
      const r = await dialer.call<{ rtts: number[]; bad: number }>('latency', {
        session,
        n: 20,
        size: 64,
        seed,
      })
      if (r.bad > 0) throw new Error(`soak: ${r.bad} echoes differ`)
      rtts.push(...r.rtts)
      await sleep(200)
    }
  }
  const churn = async () => {
    const open: number[] = []
    while (!until()) {
      open.push(await dialer.call<number>('dial', { id, port, freshKey: true }))
      handshakes++
      if (open.length > churnKeep) await dialer.call('closeSession', { i: open.shift() })
      await sleep(2000)
    }
  }
  const dial = () => dialer.call<number>('dial', { id, port, freshKey: true })
  const streams = await Promise.all(Array.from({ length: bulkStreams }, dial))
  const echoes = await Promise.all(Array.from({ length: echoSessions }, dial))
  const running = Promise.all([...streams.map(bulk), ...echoes.map(echo), churn()])
  return {
    running,
    /** Round trips since the last call, and handshakes so far. */
    drain: () => ({ rtts: rtts.splice(0), handshakes }),
  }
}

export async function soak(durationMs: number, maxRssBytes = 4 * 2 ** 30): Promise<string> {
  const intervalMs = Math.min(15_000, Math.max(1000, durationMs / 240))
  const listener = await spawnWorker(endpoint, ['ours-fast'])
  const dialer = await spawnWorker(endpoint, ['ours-fast'])
  const loadBefore = loadSample()
  try {
    const { id, port } = await listener.call<{ id: Uint8Array; port: number }>('listen', {
      maxPeers: 200,
    })
    await listener.call('expect', { size, seed, count: Number.MAX_SAFE_INTEGER, batch: perBatch })
    const start = performance.now()
    const elapsed = () => performance.now() - start
    // Past `maxRssBytes` the load stops early and the result says so (a leak must not take
    // the machine down an hour later).
    let stopped: string | undefined
    const l = await load(dialer, id, port, () => elapsed() >= durationMs || stopped !== undefined)
    const samples: Sample[] = []
    let failed: unknown
    l.running.catch((e) => {
      failed = e
    })
    await listener.call('sample') // resets the event-loop histogram
    while (elapsed() < durationMs && !failed && !stopped) {
      await sleep(Math.min(intervalMs, Math.max(0, durationMs - elapsed())))
      const s = await listener.call<
        Omit<Sample, 't' | 'echoP99Ms' | 'handshakes' | 'heapExternal'> & { external: number }
      >('sample')
      const { rtts, handshakes } = l.drain()
      const sample: Sample = {
        ...s,
        t: Math.round(elapsed() / 100) / 10,
        heapExternal: s.external,
        echoP99Ms: rtts.length ? quantile(rtts, 0.99) : 0,
        handshakes,
      }
      samples.push(sample)
      if (s.rss > maxRssBytes)
        stopped = `RSS ${(s.rss / 2 ** 20).toFixed(0)} MiB passed the --max-rss-mib limit at ${sample.t} s`
      out(
        `soak ${sample.t}s: rss ${(s.rss / 2 ** 20).toFixed(1)} MiB, heap ${(s.heapUsed / 2 ** 20).toFixed(1)} MiB, fds ${s.fds}, loop p99 ${s.loopDelayP99Ms.toFixed(1)} ms, sessions ${s.sessions}, verified ${s.received}, bad ${s.bad}`,
      )
    }
    await l.running
    // After GC: what the listener still holds once the load is over (a leak stays here; a lazy
    // collector does not).
    const afterGc = await listener.call<{ rss: number; heapUsed: number; external: number }>(
      'memory',
    )
    const final = await listener.call<{ received: number; bad: number }>('receiverStats')
    const half = samples.slice(Math.floor(samples.length / 2))
    const hours = half.map((s) => s.t / 3600)
    const first = samples[0]
    const last = samples.at(-1)
    const summary = {
      durationS: Math.round(durationMs / 1000),
      stoppedEarly: stopped ?? null,
      intervalS: intervalMs / 1000,
      samples: samples.length,
      load: { bulkStreams, bulkMessageBytes: size, echoSessions, churnEveryS: 2, churnKeep },
      verified: final.received,
      bad: final.bad,
      handshakes: last?.handshakes ?? 0,
      rssMiB: {
        first: (first?.rss ?? 0) / 2 ** 20,
        last: (last?.rss ?? 0) / 2 ** 20,
        max: Math.max(...samples.map((s) => s.rss)) / 2 ** 20,
      },
      rssGrowthSecondHalfMiBPerHour: slope(
        hours,
        half.map((s) => s.rss / 2 ** 20),
      ),
      heapGrowthSecondHalfMiBPerHour: slope(
        hours,
        half.map((s) => s.heapUsed / 2 ** 20),
      ),
      fds: {
        first: first?.fds ?? 0,
        last: last?.fds ?? 0,
        max: Math.max(...samples.map((s) => s.fds)),
      },
      loopDelayMaxMs: Math.max(...samples.map((s) => s.loopDelayMaxMs)),
      loopDelayP99MaxMs: Math.max(...samples.map((s) => s.loopDelayP99Ms)),
      echoP99MaxMs: Math.max(...samples.map((s) => s.echoP99Ms)),
      afterLoadGcMiB: {
        rss: afterGc.rss / 2 ** 20,
        heapUsed: afterGc.heapUsed / 2 ** 20,
        external: afterGc.external / 2 ** 20,
      },
    }
    if (final.bad > 0) throw new Error(`soak: ${final.bad} payloads failed verification`)
    const file = recordResult('soak', 'wasm-keccak+libsecp256k1 (useFastCrypto)', {
      schema: 2,
      method:
        'listener and load in separate processes; bulk streams verified per session; samples without GC (what the process holds)',
      loadavg: { before: loadBefore, after: loadSample() },
      summary,
      samples,
    })
    const title = `${stopped ? `STOPPED EARLY (${stopped}) ` : ''}soak ${Math.round(durationMs / 60_000)} min: ${bulkStreams} bulk streams, ${echoSessions} echo sessions, churn every 2 s; ${final.received} messages verified, ${final.bad} bad`
    writeFileSync(join(resultsDir, 'soak.svg'), soakSvg(samples, title))
    out(`summary: ${JSON.stringify(summary)}`)
    if (stopped) throw new Error(`soak stopped early: ${stopped} (results written)`)
    return file
  } finally {
    await dialer.stop()
    await listener.stop()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flag = (name: string) =>
    process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  const maxRssMiB = Number(flag('max-rss-mib') ?? 4096)
  const file = await soak(parseDuration(flag('duration') ?? '1h'), maxRssMiB * 2 ** 20)
  out(`wrote ${file} and soak.svg`)
}
