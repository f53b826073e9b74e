// The node under attack, run in its own process so its memory is its own: `tsx --expose-gc
// victim.ts ours|ethereumjs`. It listens on 127.0.0.1 (port 0) and speaks eth/68 on mainnet at
// genesis; one line of JSON on stdout per event, commands one per line on stdin:
//   (start)            {"ready":true,"port":…,"id":"<hex>"}
//   (peer connected)   {"peer":true}
//   stream <MiB>       offers <MiB> of transactions (1 KiB each, random) to the peer, as the
//                      implementation's users send them: ours through `EthPeer.asyncSendTransactions`
//                      (the per-peer queue `broadcastTransactions` feeds: bounded, never
//                      blocking), ethereumjs through `ETH.sendMessage`;
//                      then {"streamed":<bytes>}
//   mem                {"mem":{…}} retained memory after two full GCs, the peak RSS so far, and
//                      how many peers are connected (and, ours, transactions are in the pool)
//   exit               stops and exits
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { Common, Hardfork, Mainnet } from '@ethereumjs/common'
import { ETH, RLPx } from '@ethereumjs/devp2p'
import { encodeBytes, encodeList, encodeUint, toHex } from '@x/core'
import { generatePrivateKey, nodeIdFromPrivateKey } from '@x/discover'
import { rlpx, Server, tcpNetwork } from '@x/p2p'
import { EthHandler, mainnet, memoryBackend } from '../../src/index.js'

const impl = process.argv[2]
const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`)

let peakRss = process.memoryUsage.rss()
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
}, 10)

function memory() {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  const m = process.memoryUsage()
  peakRss = Math.max(peakRss, m.rss)
  return {
    rss: m.rss,
    peakRss,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  }
}

/**
 * 8192 distinct 1 KiB transactions (random: snappy does not shrink them), made once and sent in
 * turn (making random bytes for each would dominate the run): twice what a peer's send queue
 * holds, so a queue never holds the same transaction twice.
 */
const pool: Uint8Array[] = Array.from({ length: 8192 }, (_, i) =>
  encodeList([encodeUint(i + 1), encodeBytes(randomBytes(1000))]),
)

/**
 * Copies of the next `n` transactions of the pool, round-robin: fresh buffers, as an
 * application's new transactions are, so whatever a send path keeps of them is counted.
 */
let cursor = 0
function txs(n: number): Uint8Array[] {
  const list: Uint8Array[] = []
  for (let i = 0; i < n; i++) list.push((pool[cursor++ % pool.length] as Uint8Array).slice())
  return list
}

const turn = () => new Promise((r) => setImmediate(r))

interface Victim {
  port: number
  id: Uint8Array
  /** Offers one batch of transactions to the peer. */
  send(batch: Uint8Array[]): void
  /** Peers connected, and (ours) transactions in the pool. */
  stats(): { peers: number; poolTxs?: number }
  stop(): Promise<void>
}

async function ours(): Promise<Victim> {
  const backend = memoryBackend(mainnet)
  const eth = new EthHandler({ backend, chain: mainnet, versions: [68] })
  eth.addEventListener('peer:registered', () => out({ peer: true }))
  const server = new Server({
    privateKey: generatePrivateKey(),
    // go-ethereum's frame timeouts (write 20 s, read 30 s) and the idle drop (30 s of silence)
    // would end a slow reader on a loaded machine before we measure, releasing what it held:
    // raised to 5 minutes. The bound measured does not depend on them.
    network: tcpNetwork(rlpx, { timeouts: { frameWrite: 300_000, frameRead: 300_000 } }),
    pingInterval: 300_000,
    idleTimeout: 300_000,
    listenAddress: { ip: '127.0.0.1', port: 0 },
    protocols: eth.protocols,
    noDiscovery: true,
    noDial: true,
  })
  await server.start()
  return {
    port: server.listenAddress?.port as number,
    id: server.id,
    // Each peer's own queue (what `broadcastTransactions` feeds): bounded, never blocking.
    send: (batch) => {
      for (const p of eth.peers.all()) p.asyncSendTransactions(batch)
    },
    stats: () => ({ peers: eth.peers.len, poolTxs: backend.txPool.size }),
    stop: async () => {
      eth.close()
      await server.stop()
    },
  }
}

interface EjsEth {
  sendStatus(status: { td: Uint8Array; bestHash: Uint8Array; genesisHash: Uint8Array }): void
  sendMessage(code: number, payload: unknown): void
  events: { on(e: string, fn: (...a: unknown[]) => void): void }
}

async function ethereumjs(): Promise<Victim> {
  const key = generatePrivateKey()
  const node = new RLPx(key, {
    dpt: null,
    maxPeers: 10,
    capabilities: [ETH.eth68],
    common: new Common({ chain: Mainnet, hardfork: Hardfork.Prague }),
    listenPort: null,
  })
  node.events.on('peer:error', () => {})
  let eth: EjsEth | undefined
  node.events.on('peer:added', (peer) => {
    const e = (peer as unknown as { getProtocols(): unknown[] }).getProtocols()[0] as EjsEth
    e.events.on('status', () => {
      eth = e
      out({ peer: true })
    })
    // Its users serve requests themselves: headers, here none (the attacker's sync probe).
    e.events.on('message', (code, payload) => {
      if (code === 0x03) e.sendMessage(0x04, [(payload as Uint8Array[])[0], []])
    })
    e.sendStatus({
      td: Uint8Array.of(0x04, 0x00, 0x00, 0x00, 0x00),
      bestHash: mainnet.genesisHash,
      genesisHash: mainnet.genesisHash,
    })
  })
  node.listen(0, '127.0.0.1')
  await new Promise<void>((r) => node.events.once('listening', () => r()))
  const port = (node as unknown as { _server: { address(): { port: number } } })._server.address()
    .port
  return {
    port,
    id: nodeIdFromPrivateKey(key),
    // Transactions (0x02), as its users send them; it writes to the socket at once.
    send: (batch) => eth?.sendMessage(0x02, batch),
    stats: () => ({ peers: node.getPeers().length }),
    stop: async () => node.destroy(),
  }
}

const victim = impl === 'ethereumjs' ? await ethereumjs() : await ours()
out({ ready: true, port: victim.port, id: toHex(victim.id) })

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg] = line.trim().split(/\s+/)
  if (cmd === 'mem') out({ mem: { ...memory(), ...victim.stats() } })
  else if (cmd === 'stream') {
    const total = Number(arg) * 1024
    // 100 transactions (~100 KiB) a call, a turn of the event loop between calls.
    for (let sent = 0; sent < total; sent += 100) {
      victim.send(txs(100))
      await turn()
    }
    out({ streamed: total * 1024 })
  } else if (cmd === 'exit') break
}
clearInterval(sampler)
await victim.stop()
process.exit(0)
