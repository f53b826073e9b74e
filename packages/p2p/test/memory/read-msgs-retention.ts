// Child process for read-msgs.test.ts (run with --expose-gc): reads `count` messages of 16 KiB
// through readMsgs from an in-memory reader and, still inside the loop, reports how many of
// their payloads are reachable after garbage collection, and the heap growth.
import { type Msg, readMsgs } from '../../src/index.js'

const count = Number(process.argv[2] ?? 2000)
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

const refs: WeakRef<Uint8Array>[] = []
let next = 0
const reader = {
  readMsg: async (): Promise<Msg> => {
    const payload = new Uint8Array(16 * 1024).fill(next & 0xff)
    refs.push(new WeakRef(payload))
    next++
    return { code: 0x10, size: payload.length, payload, receivedAt: 0 }
  },
}
const controller = new AbortController()
gc()
const before = process.memoryUsage().heapUsed
let read = 0
let alive = -1
let heapMiB = 0
for await (const msg of readMsgs(reader, controller.signal)) {
  if (msg.payload.length !== 16 * 1024) throw new Error('bad payload')
  if (++read < count) continue
  // Still inside the loop, as a protocol that keeps reading: what it has read must be garbage.
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((r) => setImmediate(r))
  }
  alive = refs.filter((r) => r.deref() !== undefined).length
  heapMiB = (process.memoryUsage().heapUsed - before) / 2 ** 20
  break
}
process.stdout.write(`${JSON.stringify({ read, alive, heapMiB: Number(heapMiB.toFixed(1)) })}\n`)
controller.abort()
