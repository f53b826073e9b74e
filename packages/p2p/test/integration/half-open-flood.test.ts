import { connect, type Socket } from 'node:net'
import { generatePrivateKey, nodeIdFromPrivateKey } from '@x/discover'
import { afterEach, describe, expect, it } from 'vitest'
import {
  baseProtocolVersion,
  protoHandshake,
  rlpx,
  rlpxConnect,
  Server,
  serverDefaults,
  tcpNetwork,
} from '../../src/index.js'
import { expectNoLeakedHandles } from '../handles.js'
import { echoProtocol } from '../server/helpers.js'

/**
 * A half-open TCP flood (connections that send nothing) from 127.0.0.1 against a server with 50
 * pending-handshake slots, while an honest RLPx peer dials from 127.0.0.2: the flood must not
 * keep it out (issue "Under pressure": it got in 1 time in 7).
 */
expectNoLeakedHandles()
const out = (s: string) => process.stdout.write(`${s}\n`)
const MiB = 1024 * 1024

const servers: Server[] = []
const floods: (() => void)[] = []
afterEach(async () => {
  for (const stop of floods.splice(0)) stop()
  await Promise.all(servers.splice(0).map((s) => s.stop()))
})

/** About `perSecond` connects from 127.0.0.1 that never send a byte. */
function flood(port: number, perSecond: number) {
  const sockets = new Set<Socket>()
  let opened = 0
  const batch = Math.max(1, Math.round(perSecond / 100))
  const timer = setInterval(() => {
    for (let i = 0; i < batch; i++) {
      const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' })
      opened++
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => sockets.delete(s))
    }
  }, 10)
  const stop = () => {
    clearInterval(timer)
    for (const s of sockets) s.destroy()
  }
  floods.push(stop)
  return { opened: () => opened, open: () => sockets.size }
}

describe('fair admission under a half-open flood', () => {
  it.each([
    ['per-address cap (default 8)', serverDefaults.maxPendingPerIp],
    ['no per-address cap: eviction', serverDefaults.maxPendingPeers],
  ])('an honest peer from another address gets in 10 of 10 times (%s)', async (_, perIp) => {
    const key = generatePrivateKey()
    const server = new Server({
      privateKey: key,
      network: tcpNetwork(rlpx),
      listenAddress: { ip: '127.0.0.1', port: 0 },
      protocols: [echoProtocol()],
      maxPeers: 20,
      maxPendingPerIp: perIp,
      noDial: true,
    })
    servers.push(server)
    await server.start()
    const port = server.listenAddress?.port as number
    const rssBefore = process.memoryUsage().rss
    const full = new Promise<void>((resolve) => {
      server.addEventListener('conn:failed', (e) => {
        if (String(e.detail.error).includes('pending handshakes')) resolve()
        if (String(e.detail.error).includes('gave way')) resolve()
      })
    })
    const f = flood(port, 1000)
    await full // the flood holds every slot it may
    let ok = 0
    const failures: string[] = []
    let maxRss = 0
    for (let i = 0; i < 10; i++) {
      const honestKey = generatePrivateKey()
      try {
        const conn = await rlpxConnect({
          privateKey: honestKey,
          remoteId: nodeIdFromPrivateKey(key),
          host: '127.0.0.1',
          port,
          localAddress: '127.0.0.2',
          timeouts: { handshake: 3_000 },
        })
        const hello = await protoHandshake(conn, {
          version: baseProtocolVersion,
          clientId: 'honest',
          caps: [{ name: 'echo', version: 1 }],
          listenPort: 0,
          id: nodeIdFromPrivateKey(honestKey),
        })
        expect(hello.id).toEqual(server.id)
        ok++
        conn.close()
      } catch (err) {
        failures.push(String(err))
      }
      maxRss = Math.max(maxRss, process.memoryUsage().rss)
    }
    out(
      `${_}: honest peer got in ${ok}/10 during a flood of ${f.opened()} connects ` +
        `(${f.open()} open now); rss ${(rssBefore / MiB).toFixed(0)} -> max ${(maxRss / MiB).toFixed(0)} MiB` +
        (failures.length > 0 ? `; failures: ${failures.join('; ')}` : ''),
    )
    expect(ok).toBeGreaterThanOrEqual(9)
    expect(f.opened()).toBeGreaterThan(serverDefaults.maxPendingPeers)
    // Flood and server in one process: refused sockets are closed at once, so memory stays flat.
    expect(maxRss - rssBefore).toBeLessThan(64 * MiB)
  })
})
