// A worker process of the discv4 benchmark (`discv4-worker.ts server <impl>` or `… client`),
// driven by discv4.ts over IPC, so the server under test and the load generator never share a
// process. The server is our UDPv4 (as an application starts it) or ethereumjs's DPT. The
// client pre-signs its pings before the timing (one bonded key, or one fresh key per ping for
// the unbonded path), keeps a window of pings in flight and counts the pongs that answer them:
// each pong's hash must be intact and its ping hash one the client sent.
import { createSocket } from 'node:dgram'
import { DPT } from '@ethereumjs/devp2p'
import { decodeRlp, getCrypto, nobleCrypto, setCrypto, started, useFastCrypto } from '@x/core'
import { generatePrivateKey, UDPv4, wire } from '@x/discover'
import { serveWorker } from '../../../bench/worker.ts'

type Impl = 'ours-fast' | 'ours-noble' | 'ethereumjs'
const [role, impl] = process.argv.slice(2) as ['server' | 'client', Impl]
const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  const { port } = s.address()
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

async function server() {
  let stop: () => Promise<void> = async () => {}
  serveWorker({
    async start() {
      if (impl === 'ethereumjs') {
        const port = await freeUdpPort()
        const d = new DPT(generatePrivateKey(), {
          endpoint: { address: '127.0.0.1', udpPort: port, tcpPort: port },
          refreshInterval: 3_600_000,
          shouldFindNeighbours: false,
        })
        d.events.on('error', () => {})
        const listening = new Promise<void>((r) => d.events.once('listening', () => r()))
        d.bind(port, '127.0.0.1')
        await listening
        stop = async () => d.destroy()
        return port
      }
      if (impl === 'ours-fast') await useFastCrypto()
      else setCrypto(nobleCrypto)
      const udp = await started(
        new UDPv4({
          privateKey: generatePrivateKey(),
          host: '127.0.0.1',
          port: 0,
          ntp: false,
          // One client plays a node pinging as fast as it can: the per-node-ID request budget
          // (20/s by default; go-ethereum and ethereumjs have none) would measure the budget, not
          // the packet path. Everything else of admission stays on.
          admission: { idRate: 1e9, idBurst: 1e9 },
        }),
      )
      stop = () => udp.stop()
      return udp.self.udp
    },
    stop: () => stop(),
  })
}

async function client() {
  await useFastCrypto() // signing happens before the timing; verification is a keccak per pong
  const socket = createSocket('udp4')
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r))
  const me = socket.address().port
  let target = 0
  let packets: Uint8Array[] = []
  let next = 0 // the next packet to send: warm-up and timing never reuse an unbonded key
  let wrapped = false
  const sent = new Set<string>()
  let pongs = 0
  let bad = 0
  let answerPingBack = false
  let onPingBack = () => {}
  const bondKey = generatePrivateKey()
  const exp = () => Math.trunc(Date.now() / 1000) + 120
  const ep = { ip: '127.0.0.1', udp: me, tcp: me }
  const to = () => ({ ip: '127.0.0.1', udp: target, tcp: target })
  const ping = (key: Uint8Array) =>
    wire.encodePacket(
      { type: wire.PacketType.Ping, version: 4, from: ep, to: to(), expiration: exp() },
      key,
    )
  socket.on('message', (msg: Buffer) => {
    const type = msg[97]
    if (type === wire.PacketType.Pong) {
      const intact = hex(getCrypto().keccak256(msg.subarray(32))) === hex(msg.subarray(0, 32))
      const data = intact ? decodeRlp(msg.subarray(98), true) : undefined
      const pingHash = Array.isArray(data) ? data[1] : undefined
      if (pingHash instanceof Uint8Array && sent.has(hex(pingHash))) pongs++
      else bad++
    } else if (type === wire.PacketType.Ping && answerPingBack) {
      // Bonding: answer the server's ping-back once, so it counts our key as bonded.
      const pong = wire.encodePacket(
        {
          type: wire.PacketType.Pong,
          to: to(),
          pingHash: new Uint8Array(msg.subarray(0, 32)),
          expiration: exp(),
        },
        bondKey,
      )
      socket.send(pong.bytes, target, '127.0.0.1')
      onPingBack()
    }
  })

  serveWorker({
    /** Bonded: one key, bonded first, its ping sent over and over. Unbonded: `count` keys. */
    async prepare(a: { port: number; mode: 'bonded' | 'unbonded'; count: number }) {
      target = a.port
      // `sent` keeps the earlier mode's hashes: its late pongs are still answers to our pings.
      next = 0
      wrapped = false
      if (a.mode === 'bonded') {
        answerPingBack = true
        const bonded = new Promise<void>((r) => {
          onPingBack = r
        })
        const first = ping(bondKey)
        sent.add(hex(first.hash))
        socket.send(first.bytes, target, '127.0.0.1')
        await Promise.race([bonded, new Promise((r) => setTimeout(r, 2000))])
        await new Promise((r) => setTimeout(r, 300))
        answerPingBack = false
        const p = ping(bondKey)
        sent.add(hex(p.hash))
        packets = [p.bytes]
      } else {
        answerPingBack = false
        packets = Array.from({ length: a.count }, () => {
          const p = ping(generatePrivateKey())
          sent.add(hex(p.hash))
          return p.bytes
        })
      }
      return packets.length
    },
    /** Keeps `window` pings in flight for `ms`; pongs per second, and how many were bad. */
    async blast(a: { ms: number; window: number }) {
      const start = performance.now()
      const base = pongs
      const baseBad = bad
      let inFlight = 0
      const send = () => {
        if (next === packets.length) {
          next = 0
          wrapped = packets.length > 1
        }
        socket.send(packets[next++] as Uint8Array, target, '127.0.0.1')
        inFlight++
      }
      let lastSeen = pongs
      let lastProgress = start
      await new Promise<void>((resolve) => {
        const tick = setInterval(() => {
          const done = pongs - base
          while (inFlight - done < a.window) send()
          const now = performance.now()
          if (now - start >= a.ms) {
            clearInterval(tick)
            resolve()
          }
          // No pong for 50 ms: the pings in flight were dropped; refill the window.
          if (pongs !== lastSeen) lastProgress = now
          else if (now - lastProgress > 50) {
            inFlight = done
            lastProgress = now
          }
          lastSeen = pongs
        }, 1)
      })
      const rate = ((pongs - base) * 1000) / (performance.now() - start)
      await new Promise((r) => setTimeout(r, 100)) // late pongs count as bad only if malformed
      return { rate, bad: bad - baseBad, wrapped }
    },
    stop: () => new Promise<void>((r) => socket.close(() => r())),
  })
}

if (role === 'server') await server()
else await client()
