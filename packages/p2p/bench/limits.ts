// The machine's ceilings for the RLPx figures: raw loopback TCP (one process, no framing) and
// AES-256-CTR + streaming keccak over the same bytes — the per-byte work of an RLPx frame —
// with the noble and the fast backends. Median of the repetitions.
import { createCipheriv, randomBytes } from 'node:crypto'
import { connect, createServer } from 'node:net'
import { performance } from 'node:perf_hooks'
import { type CryptoBackend, createFastCrypto, nobleCrypto } from '@x/core'
import { loadSample, pick, repetitions, stats } from '../../../bench/harness.ts'
import { recordResult } from '../../../bench/record.ts'

const MiB = 1024 * 1024

async function rawTcp(total: number): Promise<number> {
  const chunk = new Uint8Array(randomBytes(64 * 1024))
  let got = 0
  let done!: () => void
  const finished = new Promise<void>((r) => {
    done = r
  })
  const server = createServer((s) =>
    s.on('data', (c: Uint8Array) => {
      got += c.length
      if (got >= total) done()
    }),
  )
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const socket = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port })
  await new Promise((r) => socket.once('connect', r))
  const start = performance.now()
  for (let sent = 0; sent < total; sent += chunk.length)
    if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r))
  await finished
  const mbs = total / MiB / ((performance.now() - start) / 1000)
  socket.destroy()
  await new Promise<void>((r) => server.close(() => r()))
  return mbs
}

function aesKeccak(crypto: CryptoBackend, ms: number): number {
  const chunk = new Uint8Array(randomBytes(64 * 1024))
  const aes = createCipheriv('aes-256-ctr', randomBytes(32), new Uint8Array(16))
  const k = crypto.keccak256Stream()
  let n = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    k.update(aes.update(chunk))
    k.digest()
    n++
  }
  return (n * chunk.length) / MiB / ((performance.now() - start) / 1000)
}

export async function run(): Promise<void> {
  const fast = await createFastCrypto()
  const load = [loadSample()]
  const tcp: number[] = []
  const noble: number[] = []
  const fastR: number[] = []
  for (let i = 0; i < repetitions(); i++) {
    tcp.push(await rawTcp(pick(256 * MiB, 4 * MiB)))
    noble.push(aesKeccak(nobleCrypto, pick(1000, 50)))
    fastR.push(aesKeccak(fast, pick(1000, 50)))
  }
  load.push(loadSample())
  const data = {
    schema: 2,
    raw_tcp_mb_per_s: stats(tcp),
    aes_ctr_keccak_mb_per_s: { noble: stats(noble), fast: stats(fastR) },
    load,
  }
  process.stdout.write(`${JSON.stringify(data)}\n`)
  recordResult('limits', { noble: nobleCrypto.name, fast: fast.name }, data)
}
