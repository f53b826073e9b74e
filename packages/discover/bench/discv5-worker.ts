// One measurement of one discv5 implementation, in a process of its own (so one library's JIT
// state and garbage do not slow the other): `node --import tsx bench/discv5-worker.ts <impl>
// <measure> <n>` prints `{"value": …}`. impl: ours | ours-noble | chainsafe. measure:
// handshakes (n clients handshake with one server at once: handshakes/s), pings (PING→PONG/s
// for n ms on one established session, one in flight), lookup (ms per lookup in an n-node
// network on loopback, median of 10 lookups from random nodes for random targets).

import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { Discv5 } from '@chainsafe/discv5'
import { ENR, SignableENR } from '@chainsafe/enr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { useFastCrypto } from '@x/core'
import { median } from '../../../bench/record.ts'
import { generatePrivateKey, type Node } from '../src/index.ts'
import { DiscoveryV5 } from '../src/v5/index.ts'

const [impl = 'ours', measure = 'pings', nArg = '0'] = process.argv.slice(2)
const n = Number(nArg)
if (impl === 'ours') await useFastCrypto()

async function freePort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
  const { port } = s.address()
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

interface Impl {
  /** A started node; `ping(other)` resolves on its PONG; `lookup()` runs one random lookup. */
  start(boot?: string): Promise<{
    enr: string
    ping(enr: string): Promise<unknown>
    lookup(): Promise<number>
    stop(): Promise<void>
  }>
}

const ours: Impl = {
  async start(boot) {
    const d = new DiscoveryV5({
      privateKey: generatePrivateKey(),
      host: '127.0.0.1',
      port: 0,
      bootnodes: boot ? [boot] : [],
      respTimeoutMs: 20_000,
      handshakeTimeoutMs: 20_000,
      maintenance: { refreshIntervalMs: 3_600_000, revalidateIntervalMs: 3_600_000 },
    })
    await d.start()
    const nodes = new Map<string, Node>()
    return {
      enr: d.enr.toText(),
      async ping(enr) {
        let node = nodes.get(enr)
        if (!node) {
          const { Enr } = await import('../src/index.ts')
          const r = Enr.fromText(enr)
          d.udp.addRecord(r)
          node = r.toNode()!
          nodes.set(enr, node)
        }
        return d.udp.ping(node)
      },
      lookup: async () => (await d.lookup(randomBytes(64))).length,
      stop: () => d.stop(),
    }
  },
}

const chainsafe: Impl = {
  async start(boot) {
    const privateKey = (await generateKeyPair('secp256k1')) as unknown as Parameters<
      typeof SignableENR.createFromPrivateKey
    >[0]
    const enr = SignableENR.createFromPrivateKey(privateKey)
    const port = await freePort()
    enr.ip = '127.0.0.1'
    enr.udp = port
    const d = Discv5.create({
      enr,
      privateKey,
      bindAddrs: { ip4: multiaddr(`/ip4/127.0.0.1/udp/${port}`) },
      config: { enrUpdate: false, pingInterval: 3_600_000, requestTimeout: 20_000 },
    })
    await d.start()
    if (boot) {
      d.addEnr(boot)
      await d.sendPing(ENR.decodeTxt(boot))
      await d.findNode(d.enr.nodeId)
    }
    const known = new Map<string, ENR>()
    return {
      enr: d.enr.toENR().encodeTxt(),
      async ping(other) {
        let e = known.get(other)
        if (!e) {
          e = ENR.decodeTxt(other)
          known.set(other, e)
          d.addEnr(e)
        }
        return d.sendPing(e)
      },
      lookup: async () => (await d.findRandomNode()).length,
      stop: () => d.stop(),
    }
  },
}

const lib = impl === 'chainsafe' ? chainsafe : ours

async function handshakes(count: number): Promise<number> {
  const server = await lib.start()
  const clients = []
  for (let i = 0; i < count; i++) clients.push(await lib.start())
  const t0 = performance.now()
  const r = await Promise.allSettled(clients.map((c) => c.ping(server.enr)))
  const s = (performance.now() - t0) / 1000
  await Promise.all([...clients, server].map((c) => c.stop()))
  const ok = r.filter((x) => x.status === 'fulfilled').length
  if (ok < count) process.stderr.write(`${count - ok} of ${count} handshakes failed\n`)
  return ok / s
}

async function pings(ms: number): Promise<number> {
  const server = await lib.start()
  const client = await lib.start()
  await client.ping(server.enr)
  let done = 0
  const t0 = performance.now()
  while (performance.now() - t0 < ms) {
    await client.ping(server.enr)
    done++
  }
  const s = (performance.now() - t0) / 1000
  await Promise.all([client.stop(), server.stop()])
  return done / s
}

async function lookup(size: number): Promise<number> {
  const boot = await lib.start()
  const nodes = [boot]
  for (let i = 1; i < size; i++) nodes.push(await lib.start(boot.enr))
  // Warm-up: every node looks up once (fills tables, makes sessions).
  for (const nd of nodes) await nd.lookup()
  const times: number[] = []
  for (let i = 0; i < 10; i++) {
    const nd = nodes[Math.floor(Math.random() * nodes.length)]!
    const t0 = performance.now()
    await nd.lookup()
    times.push(performance.now() - t0)
  }
  await Promise.all(nodes.map((nd) => nd.stop()))
  return median(times)
}

const value =
  measure === 'handshakes'
    ? await handshakes(n || 50)
    : measure === 'pings'
      ? await pings(n || 2000)
      : await lookup(n || 200)
process.stdout.write(`${JSON.stringify({ value })}\n`)
process.exit(0)
