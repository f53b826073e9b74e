// Peer-layer overhead: messages through two Peers over an in-memory transport (no crypto), so
// what is measured is the read loop, the protocol demultiplexing and the write queue alone.
import { performance } from 'node:perf_hooks'
import { recordResult } from '../../../bench/record.ts'
import {
  baseProtocolVersion,
  type MsgReadWriter,
  Peer,
  type Protocol,
  protocolCaps,
} from '../src/index.js'
import { transportPair } from '../src/testing/index.js'

async function peerThroughput(size: number, count: number): Promise<number> {
  const idA = crypto.getRandomValues(new Uint8Array(64))
  const idB = crypto.getRandomValues(new Uint8Array(64))
  const [ta, tb] = transportPair(idA, idB)
  const payload = crypto.getRandomValues(new Uint8Array(size))
  let finished!: () => void
  const done = new Promise<void>((r) => {
    finished = r
  })
  const sender: Protocol = {
    name: 'bench',
    version: 1,
    length: 1,
    async run(_p, rw: MsgReadWriter, signal: AbortSignal) {
      for (let i = 0; i < count; i++) await rw.writeMsg(0, payload)
      await new Promise((r) => signal.addEventListener('abort', r, { once: true }))
    },
  }
  const receiver: Protocol = {
    ...sender,
    async run(_p, rw: MsgReadWriter) {
      for (let i = 0; i < count; i++) await rw.readMsg()
      finished()
    },
  }
  const hello = (id: Uint8Array, p: Protocol) => ({
    version: baseProtocolVersion,
    clientId: 'bench',
    caps: protocolCaps([p]),
    listenPort: 0,
    id,
  })
  const a = new Peer(ta, hello(idB, receiver), { protocols: [sender] })
  const b = new Peer(tb, hello(idA, sender), { protocols: [receiver], inbound: true })
  const start = performance.now()
  const runs = [a.run(), b.run()]
  await done
  const ms = performance.now() - start
  a.disconnect(0)
  await Promise.all(runs)
  return (count / ms) * 1000
}

export async function run(): Promise<void> {
  const results: Record<string, number> = {}
  for (const [size, count] of [
    [64, 200_000],
    [1024, 200_000],
    [65536, 20_000],
  ] as const) {
    await peerThroughput(size, count / 10) // warm-up
    const rate = await peerThroughput(size, count)
    results[`msgs_per_s_${size}B`] = Math.round(rate)
    process.stdout.write(`peer over memory pipe, ${size} B: ${Math.round(rate)} msg/s\n`)
  }
  recordResult('p2p-peer-memory', 'none (in-memory transport, no crypto)', results)
}
