// discv4 Ping→Pong exchanges per second served on loopback: our UDPv4 (fast and noble crypto
// backends) vs @ethereumjs/devp2p's DPT, in the same run. The client is a raw socket that sends
// pre-signed pings from one bonded key and counts pongs, so the server's work (verify the ping,
// sign the pong) dominates. Median of 3 rounds per server.

import { createSocket, type Socket } from 'node:dgram'
import { DPT } from '@ethereumjs/devp2p'
import { createFastCrypto, getCrypto, nobleCrypto, setCrypto, started } from '@x/core'
import { median, recordResult } from '../../../bench/record.ts'
import { generatePrivateKey, UDPv4, wire } from '../src/index.ts'

const ROUND_MS = 2000
const ROUNDS = 3
const WINDOW = 32

interface Server {
  port: number
  close(): Promise<void>
}

async function rawClient(): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket('udp4')
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r))
  return { socket, port: socket.address().port }
}

/** Bonds the client key with the server (answers its ping-back), then measures exchanges/s. */
async function measure(server: Server): Promise<number> {
  const { socket, port } = await rawClient()
  const key = generatePrivateKey()
  const exp = () => Math.trunc(Date.now() / 1000) + 20
  const ep = { ip: '127.0.0.1', udp: port, tcp: port }
  const to = { ip: '127.0.0.1', udp: server.port, tcp: server.port }
  const ping = () =>
    wire.encodePacket(
      { type: wire.PacketType.Ping, version: 4, from: ep, to, expiration: exp() },
      key,
    )
  let pongs = 0
  let pingBack: (() => void) | undefined
  socket.on('message', (msg) => {
    const type = msg[97]
    if (type === wire.PacketType.Pong) pongs++
    else if (type === wire.PacketType.Ping) {
      // Answer the ping-back once so the server counts us as bonded and stops pinging back.
      const pong = wire.encodePacket(
        {
          type: wire.PacketType.Pong,
          to,
          pingHash: new Uint8Array(msg.subarray(0, 32)),
          expiration: exp(),
        },
        key,
      )
      socket.send(pong.bytes, server.port, '127.0.0.1')
      pingBack?.()
    }
  })
  const bonded = new Promise<void>((r) => {
    pingBack = r
  })
  socket.send(ping().bytes, server.port, '127.0.0.1')
  await Promise.race([bonded, new Promise((r) => setTimeout(r, 2000))])
  await new Promise((r) => setTimeout(r, 300))

  const packet = ping().bytes
  const rates: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now()
    let sent = 0
    const baseline = pongs
    let lastSeen = baseline
    let lastProgress = start
    const send = () => {
      socket.send(packet, server.port, '127.0.0.1')
      sent++
    }
    for (let i = 0; i < WINDOW; i++) send()
    // Keep WINDOW pings in flight; a stall check refills lost ones.
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const done = pongs - baseline
        while (sent - done < WINDOW) send()
        if (performance.now() - start >= ROUND_MS) {
          clearInterval(tick)
          resolve()
        }
        // No pong for 50 ms: the in-flight pings were lost; refill the window.
        const now = performance.now()
        if (pongs !== lastSeen) lastProgress = now
        else if (now - lastProgress > 50) {
          sent = done
          lastProgress = now
        }
        lastSeen = pongs
      }, 1)
    })
    rates.push(((pongs - baseline) * 1000) / (performance.now() - start))
    await new Promise((r) => setTimeout(r, 200))
  }
  socket.close()
  return median(rates)
}

async function ours(): Promise<Server> {
  const udp = await started(
    new UDPv4({
      privateKey: generatePrivateKey(),
      host: '127.0.0.1',
      port: 0,
      ntp: false,
    }),
  )
  return { port: udp.self.udp, close: () => udp.stop() }
}

async function dpt(): Promise<Server> {
  const probe = createSocket('udp4')
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r))
  const port = probe.address().port
  await new Promise<void>((r) => probe.close(() => r()))
  const d = new DPT(generatePrivateKey(), {
    endpoint: { address: '127.0.0.1', udpPort: port, tcpPort: port },
    refreshInterval: 3_600_000,
    shouldFindNeighbours: false,
  })
  d.events.on('error', () => {})
  const listening = new Promise<void>((r) => d.events.once('listening', () => r()))
  d.bind(port, '127.0.0.1')
  await listening
  return { port, close: async () => d.destroy() }
}

export async function run(): Promise<void> {
  const fast = await createFastCrypto()
  const results: Record<string, number> = {}
  const backends: Record<string, string> = {}
  const prev = getCrypto()
  for (const [label, make, backend] of [
    ['ethereumjs', dpt, 'ethereum-cryptography (noble)'],
    ['ours-fast', ours, fast.name],
    ['ours-noble', ours, nobleCrypto.name],
  ] as const) {
    // The client signs with the same backend as our server; its cost is one signature per bond.
    setCrypto(label === 'ours-noble' ? nobleCrypto : fast)
    const server = await make()
    try {
      results[label] = Math.round(await measure(server))
    } finally {
      await server.close()
    }
    backends[label] = backend
  }
  setCrypto(prev)
  const ethjs = results.ethereumjs ?? 1
  const data = {
    unit: 'ping→pong exchanges/s',
    roundMs: ROUND_MS,
    rounds: ROUNDS,
    window: WINDOW,
    results,
    ratioFastVsEthereumjs: Math.round(((results['ours-fast'] ?? 0) / ethjs) * 100) / 100,
    ratioNobleVsEthereumjs: Math.round(((results['ours-noble'] ?? 0) / ethjs) * 100) / 100,
  }
  const file = recordResult('discv4', backends, data)
  process.stdout.write(`${JSON.stringify(data, null, 2)}\nwritten to ${file}\n`)
}
