// Benchmarks of @x/health: ping/1 round trips over an in-memory pipe (the protocol's own cost,
// no sockets, no crypto) and the tracker's per-sample cost. Medians of 5 runs; run with
// `pnpm --filter @x/health bench`. Never run in CI.
import { getCrypto, toHex } from '@x/core'
import { msgPipe, type ProtocolPeer } from '@x/p2p'
import { median, recordResult } from '../../../bench/record.ts'
import { HealthTracker, PingProtocol } from '../src/index.ts'

function peer(b: number, signal: AbortSignal): ProtocolPeer {
  const id = new Uint8Array(64).fill(b)
  return {
    id,
    idHex: toHex(id),
    clientId: 'bench',
    caps: [{ name: 'ping', version: 1 }],
    remoteAddress: { ip: '127.0.0.1', port: 1 },
    inbound: false,
    signal,
    disconnect() {},
  }
}

async function pingRoundTrips(n: number): Promise<number> {
  const ctl = new AbortController()
  const a = new PingProtocol({ interval: 0 })
  const b = new PingProtocol({ interval: 0 })
  const [ea, eb] = msgPipe()
  const pb = peer(2, ctl.signal)
  const runs = [a.run(pb, ea, ctl.signal), b.run(peer(1, ctl.signal), eb, ctl.signal)]
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await a.ping(pb.idHex)
  const ms = performance.now() - t0
  ctl.abort()
  await Promise.all(runs)
  ea.close()
  return (n / ms) * 1000
}

function trackerSamples(n: number): number {
  const t = new HealthTracker()
  const ids = Array.from({ length: 50 }, (_, i) => i.toString(16).padStart(128, '0'))
  const t0 = performance.now()
  for (let i = 0; i < n; i++) t.recordRtt(ids[i % ids.length]!, (i * 7) % 300, 'ping/1')
  return (n / (performance.now() - t0)) * 1000
}

const pings: number[] = []
const samples: number[] = []
for (let r = 0; r < 5; r++) {
  pings.push(await pingRoundTrips(5_000))
  samples.push(trackerSamples(100_000))
}
const result = {
  pingRoundTripsPerSecond: Math.round(median(pings)),
  trackerSamplesPerSecond: Math.round(median(samples)),
  notes: 'ping/1 over msgPipe (no sockets); tracker: 50 peers, window 64',
}
const file = recordResult('health-ping', getCrypto().name, result)
process.stdout.write(`${JSON.stringify(result)}\n${file}\n`)
