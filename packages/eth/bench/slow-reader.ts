// Per-peer memory under a slow-reader attack, ours beside @ethereumjs/devp2p's: a victim node in
// a child process (bench/slow-reader/victim.ts), an attacker here over real RLPx on 127.0.0.1.
//   slow-reader: the peer stops reading after the handshake while the victim streams
//     transactions to it the way the implementation's users do (ours: `EthPeer.asyncSendTransactions`;
//     ethereumjs: `ETH.sendMessage`).
//   compressible-flood-requests: the peer sends 1 MiB GetBlockBodies of zero hashes (~50 KiB on
//     the wire with snappy) as fast as its socket takes them, and reads what comes back.
//   compressible-flood-transactions: the same with Transactions of one new ~1 MiB transaction
//     each (at most 64 of them: hashing 1 MiB transactions is slow).
// Reported: memory the victim retains after GC (heap used + external), and its peak RSS, above
// what it used once the peer was connected. Sizes: `pnpm bench slow-reader <MiB> <messages>`
// (default 128 MiB streamed, 256 flood messages). The load average is recorded: figures from a
// loaded machine are not official.
import { loadavg } from 'node:os'
import { recordResult } from '../../../bench/record.ts'
import {
  type AttackResult,
  compressibleFlood,
  type Impl,
  slowReader,
} from './slow-reader/attack.ts'

const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10

export async function run(args: number[] = []): Promise<void> {
  const [streamMiB = 128, floodCount = 256] = args
  const loadBefore = loadavg()
  const rows: AttackResult[] = []
  for (const impl of ['ours', 'ethereumjs'] as Impl[]) {
    rows.push(await slowReader(impl, streamMiB))
    rows.push(await compressibleFlood(impl, floodCount))
    rows.push(await compressibleFlood(impl, Math.min(floodCount, 64), 'transactions'))
  }
  const loadAfter = loadavg()
  const table = rows.map((r) => ({
    impl: r.impl,
    attack: r.attack,
    offeredMiB: mib(r.bytes),
    heldGrowthMiB: mib(r.heldGrowth),
    peakRssGrowthMiB: mib(r.peakRssGrowth),
    peerStillConnected: r.after.peers === 1,
  }))
  console.table(table)
  console.log(
    `loadavg before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`,
  )
  const file = recordResult(
    'eth-slow-reader',
    'node:crypto + @x/core keccak (both sides run RLPx over TCP on 127.0.0.1)',
    {
      streamMiB,
      floodCount,
      loadavgBefore: loadBefore,
      loadavgAfter: loadAfter,
      results: table,
    },
  )
  console.log(`wrote ${file}`)
}
