// Benchmarks of @x/heartbeat: the record codec and the aggregator's per-beat cost with 1024
// tracked nodes (silence timers rescheduled, history appended, highest kept). Medians of 5
// runs; run with `pnpm --filter @x/heartbeat bench`. Never run in CI.
import { getCrypto } from '@x/core'
import { median, recordResult } from '../../../bench/record.ts'
import { Aggregator, decodeHeartbeat, encodeHeartbeat, type HeartbeatRecord } from '../src/index.ts'

const record: HeartbeatRecord = {
  version: 1,
  head: new Uint8Array(32).fill(7),
  height: 19_000_000,
  nickname: 'bench-node',
  minerAddress: new Uint8Array(20).fill(1),
  nodeId: new Uint8Array(64).fill(2),
  clientVersion: 'x-devp2p/v0.1.0/linux-x64/node20',
  peerCount: 25,
  timestamp: 1_700_000_000_000,
  period: 3_000,
}

function perSecond(n: number, fn: (i: number) => void): number {
  const t0 = performance.now()
  for (let i = 0; i < n; i++) fn(i)
  return (n / (performance.now() - t0)) * 1000
}

const peers = Array.from({ length: 1024 }, (_, i) => ({
  idHex: i.toString(16).padStart(128, '0'),
  remoteAddress: { ip: '127.0.0.1', port: 1 },
}))
const payload = encodeHeartbeat(record)

const encodes: number[] = []
const decodes: number[] = []
const receives: number[] = []
for (let r = 0; r < 5; r++) {
  encodes.push(perSecond(50_000, () => encodeHeartbeat(record)))
  decodes.push(perSecond(50_000, () => decodeHeartbeat(payload)))
  const agg = new Aggregator()
  receives.push(
    perSecond(100_000, (i) =>
      agg.receive(peers[i % peers.length]!, { ...record, height: record.height + (i >> 10) }),
    ),
  )
  await agg.stop()
}
const result = {
  recordBytes: payload.length,
  encodesPerSecond: Math.round(median(encodes)),
  decodesPerSecond: Math.round(median(decodes)),
  aggregatorBeatsPerSecond: Math.round(median(receives)),
  notes: 'aggregator: 1024 nodes, history 100, heights rising every 1024 beats (no alerts)',
}
const file = recordResult('heartbeat', getCrypto().name, result)
process.stdout.write(`${JSON.stringify(result)}\n${file}\n`)
