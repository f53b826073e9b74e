// Table.closest (what every FindNode answer and lookup start costs): our distance-ordered bucket
// walk vs go-ethereum's linear scan over every entry vs a full sort, on full tables. Tables are
// filled with synthetic hashes at chosen distances (a real table of a large network has its far
// buckets full). Median of 3 timed rounds per variant; no crypto in the loop.

import { randomBytes } from 'node:crypto'
import { getCrypto } from '@x/core'
import { median, recordResult } from '../../../bench/record.ts'
import { distcmp, Node, type Table as TableT } from '../src/index.ts'
import { closestLinear } from '../src/table/closest.ts'
import { Table } from '../src/table/table.ts'

const ROUND_MS = 1000
const ROUNDS = 3
const N = 16

function nodeAt(base: Uint8Array, d: number, i: number): Node {
  const n = new Node({
    id: new Uint8Array(randomBytes(64)),
    ip: `10.0.${i >> 8}.${i & 255}`,
    udp: 30303,
    tcp: 30303,
  })
  const h = new Uint8Array(randomBytes(32))
  const bit = 256 - d
  const byte = bit >> 3
  const mask = 0x80 >> (bit & 7)
  for (let k = 0; k < byte; k++) h[k] = base[k]!
  h[byte] =
    (base[byte]! & ((0xff00 >> (bit & 7)) & 0xff)) | (~base[byte]! & mask) | (h[byte]! & (mask - 1))
  Object.defineProperty(n, 'hash', { value: h })
  return n
}

/** A table whose buckets for distances 256 down to 256 − `full` + 1 hold 16 nodes each. */
function makeTable(full: number): TableT {
  const self = new Node({ id: new Uint8Array(randomBytes(64)), ip: '10.255.0.1', udp: 1, tcp: 1 })
  const table = new Table({ self })
  let i = 0
  for (let d = 256; d > 256 - full; d--)
    for (let k = 0; k < 16; k++) table.add(nodeAt(self.hash, d, i++))
  return table
}

function opsPerSec(fn: (target: Uint8Array) => unknown, targets: Uint8Array[]): number {
  const rates: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    let ops = 0
    const start = performance.now()
    while (performance.now() - start < ROUND_MS) {
      for (let k = 0; k < 100; k++) fn(targets[(ops + k) % targets.length]!)
      ops += 100
    }
    rates.push(ops / ((performance.now() - start) / 1000))
  }
  return Math.round(median(rates))
}

export async function run(): Promise<void> {
  const targets = Array.from({ length: 1024 }, () => new Uint8Array(randomBytes(32)))
  const results: Record<string, unknown>[] = []
  for (const full of [8, 17]) {
    const table = makeTable(full)
    const nodes = table.nodes()
    const ours = opsPerSec((t) => table.closestToHash(t, N), targets)
    const linear = opsPerSec((t) => closestLinear(table.buckets, t, N), targets)
    const sorted = opsPerSec(
      (t) => [...nodes].sort((a, b) => distcmp(t, a.hash, b.hash)).slice(0, N),
      targets,
    )
    const row = {
      tableSize: table.size,
      n: N,
      opsPerSec: { bucketWalk: ours, linearScan: linear, fullSort: sorted },
      speedupVsLinear: Math.round((ours / linear) * 100) / 100,
      speedupVsSort: Math.round((ours / sorted) * 100) / 100,
    }
    results.push(row)
    process.stdout.write(`closest: ${JSON.stringify(row)}\n`)
  }
  const file = recordResult('closest', getCrypto().name, {
    description: 'Table.closest(target, 16) on full tables, ops/s (median of 3 × 1 s rounds)',
    results,
  })
  process.stdout.write(`wrote ${file}\n`)
}
