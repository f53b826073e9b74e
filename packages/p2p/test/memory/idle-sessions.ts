// Memory of idle sessions: opens `n` session pairs over loopback (both ends in this process),
// each a full peer (RLPx, the hello exchange, a running `Peer` with one protocol waiting for
// messages), lets them settle, and reports RSS and heap per session (2n sessions, one end each).
//   node --expose-gc --max-semi-space-size=1 --import tsx test/memory/idle-sessions.ts [n] [--rlpx-only]
// It prints one JSON line. Without --max-semi-space-size, V8 grows its young generation while
// the handshakes allocate (to 16 MiB: 8 KB "per session" at 1,000 pairs), which is not memory the
// sessions hold: `new_space_per_session` shows that share; keep the flag to measure sessions.
import { createServer, type Socket } from 'node:net'
import { loadavg } from 'node:os'
import { getHeapSpaceStatistics } from 'node:v8'
import { createFastCrypto } from '@x/core'
import { generatePrivateKey, nodeIdFromPrivateKey } from '@x/discover'
import {
  baseProtocolVersion,
  type Hello,
  Peer,
  type Protocol,
  protoHandshake,
  type RlpxConnection,
  readMsgs,
  rlpxAccept,
  rlpxConnect,
} from '../../src/index.js'

const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1000)
const rlpxOnly = process.argv.includes('--rlpx-only')
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

async function settle(): Promise<NodeJS.MemoryUsage & { newSpace: number }> {
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 50))
    gc?.()
  }
  const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
  return { ...process.memoryUsage(), newSpace: newSpace?.space_size ?? 0 }
}

const crypto = await createFastCrypto()
const key = generatePrivateKey()
const id = nodeIdFromPrivateKey(key)
const accepted: Promise<RlpxConnection>[] = []
const sockets: Socket[] = []
const server = createServer({ noDelay: true }, (s) => {
  sockets.push(s)
  accepted.push(rlpxAccept(s, { privateKey: key, crypto }))
})
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
const port = (server.address() as { port: number }).port
const dialKeys = Array.from({ length: 8 }, () => generatePrivateKey())

// Warm up one session so code, pools and caches are in the baseline.
const warm = await rlpxConnect({
  privateKey: dialKeys[0]!,
  remoteId: id,
  host: '127.0.0.1',
  port,
  crypto,
})
await warm.writeMsg(0x10, Uint8Array.of(0xc0))
const warmB = await accepted[0]!
await warmB.readMsg()

/** A protocol that waits for messages and drops them, as an idle eth peer mostly does. */
const idle: Protocol = {
  name: 'idle',
  version: 1,
  length: 1,
  async run(peer, rw) {
    try {
      for await (const _ of readMsgs(rw, peer.signal));
    } catch {}
  },
}
const helloOf = (id: Uint8Array): Hello => ({
  version: baseProtocolVersion,
  clientId: 'idle-sessions',
  caps: [{ name: 'idle', version: 1 }],
  listenPort: 0,
  id,
})
const peers: Peer[] = []
async function peerUp(a: RlpxConnection, b: RlpxConnection, ida: Uint8Array): Promise<void> {
  const [hb, ha] = await Promise.all([
    protoHandshake(a, helloOf(ida)),
    protoHandshake(b, helloOf(id)),
  ])
  for (const [t, h, inbound] of [
    [a, hb, false],
    [b, ha, true],
  ] as const) {
    const p = new Peer(t, h, { protocols: [idle], inbound })
    void p.run()
    peers.push(p)
  }
}

const before = await settle()
const sessions: RlpxConnection[] = []
for (let i = 0; i < n; i++) {
  const a = await rlpxConnect({
    privateKey: dialKeys[i % dialKeys.length]!,
    remoteId: id,
    host: '127.0.0.1',
    port,
    crypto,
  })
  const b = await accepted[i + 1]!
  if (rlpxOnly) {
    // One message each way, as a session after its hello has seen.
    await a.writeMsg(0x10, Uint8Array.of(0xc0))
    await b.readMsg()
    await b.writeMsg(0x10, Uint8Array.of(0xc0))
    await a.readMsg()
  } else {
    await peerUp(a, b, nodeIdFromPrivateKey(dialKeys[i % dialKeys.length]!))
  }
  sessions.push(a, b)
}
const after = await settle()
const per = (k: 'rss' | 'heapUsed' | 'heapTotal' | 'external' | 'newSpace') =>
  Math.round((after[k] - before[k]) / (2 * n))
process.stdout.write(
  `${JSON.stringify({
    sessions: 2 * n,
    kind: rlpxOnly ? 'RLPx session' : 'peer (RLPx, hello, Peer, one protocol)',
    rss_per_session: per('rss'),
    heap_per_session: per('heapUsed'),
    heap_total_per_session: per('heapTotal'),
    new_space_per_session: per('newSpace'),
    external_per_session: per('external'),
    crypto: crypto.name,
    node: process.version,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  })}\n`,
)
for (const p of peers) p.disconnect(0)
for (const s of [...sessions, warm, warmB]) s.close()
for (const s of sockets) s.destroy()
server.close()
