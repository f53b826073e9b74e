import { mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LogFields, noopLogger, systemClock } from '@x/core'
import {
  type Discovery,
  generatePrivateKey,
  type MaintenanceOptions,
  nodeIdFromPrivateKey,
  openNodeDB,
} from '@x/discover'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  type DialDiscovery,
  type DiscoveryV4Config,
  extIp,
  Server,
  type ServerOptions,
  tcpNetwork,
} from '../../src/index.js'
import { type DiscoveryV4Start, startDiscoveryV4 } from '../../src/server/discovery.js'
import { echoProtocol } from './helpers.js'
import { plainRlpx } from './plain-rlpx.js'

// Servers that run discovery v4 themselves (`discoveryV4`), on real sockets on 127.0.0.1.

/** Fast table maintenance: revalidation and seed copies every 50 ms, no minimum table time. */
const fast: MaintenanceOptions = {
  revalidateIntervalMs: 50,
  copyNodesIntervalMs: 50,
  seedMinTableTimeMs: 0,
}
const wait = { timeout: 8_000, interval: 20 }

const servers: Server[] = []
const dirs: string[] = []

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'p2p-discovery-'))
  dirs.push(dir)
  return dir
}

function server(discoveryV4: DiscoveryV4Config = {}, options: Partial<ServerOptions> = {}): Server {
  const s = new Server({
    privateKey: generatePrivateKey(),
    network: tcpNetwork(plainRlpx),
    listenAddress: { ip: '127.0.0.1', port: 0 },
    protocols: [echoProtocol()],
    discoveryV4: { ntp: false, maintenance: fast, ...discoveryV4 },
    ...options,
  })
  servers.push(s)
  return s
}

function discoveryOf(s: Server): Discovery {
  const d = s.discovery
  if (!d) throw new Error('no discovery')
  return d
}

/** What a server hands `startDiscoveryV4` (a fresh key, no bootnodes). */
function startOf(
  config: DiscoveryV4Config,
  listen: { ip: string; port: number } | null,
): DiscoveryV4Start {
  const key = generatePrivateKey()
  return {
    config,
    privateKey: key,
    selfId: nodeIdFromPrivateKey(key),
    listen,
    tcpPort: 0,
    ip: undefined,
    bootnodes: [],
    netRestrict: undefined,
    clock: systemClock,
    logger: noopLogger,
  }
}

/** Resolves once `s` is connected to every server of `others`. */
function connectedTo(s: Server, others: Server[]): Promise<void> {
  const done = () => others.every((o) => s.peers().some((p) => p.idHex === o.idHex))
  return new Promise((resolve) => {
    if (done()) return resolve()
    const ac = new AbortController()
    s.addEventListener(
      'peer:added',
      () => {
        if (done()) {
          ac.abort()
          resolve()
        }
      },
      { signal: ac.signal },
    )
  })
}

describe('Server with discoveryV4', () => {
  it('advertises an extip it does not bind, and nodeInfo follows an endpoint change', async () => {
    const s = server({}, { nat: extIp('203.0.113.5'), listenAddress: { ip: '0.0.0.0', port: 0 } })
    await s.start()
    const d = discoveryOf(s)
    // Listening on all interfaces; the IP is only advertised (binding it would fail here).
    expect(s.listenAddress?.ip).toBe('0.0.0.0')
    expect(d.self.ip).toBe('203.0.113.5')
    expect(s.nodeInfo().enode).toContain('@203.0.113.5:')
    expect(d.udp.enr.ip).toBe('203.0.113.5')
    const seq = d.udp.enr.seq
    d.udp.updateEndpoint({ ip: '198.51.100.9' })
    expect(s.nodeInfo().enode).toContain('@198.51.100.9:')
    expect(s.nodeInfo().enr).toBe(d.udp.enr.toText())
    expect(d.udp.enr.seq).toBe(seq + 1n)
  })

  it('finds and connects the others from one bootnode (enode and enr text), and reports ENRs', async () => {
    const boot = server()
    await boot.start()
    const bootDisc = discoveryOf(boot)
    expect(bootDisc.self.tcp).toBe(boot.listenAddress?.port)
    expect(bootDisc.self.udp).toBeGreaterThan(0)
    const info = boot.nodeInfo()
    expect(info.enr).toBe(bootDisc.udp.enr.toText())
    expect(info.ports).toEqual({ discovery: bootDisc.self.udp, listener: boot.listenAddress?.port })

    const b = server({}, { bootnodes: [info.enode] })
    const c = server({}, { bootnodes: [info.enr as string] })
    await Promise.all([b.start(), c.start()])
    const all = [boot, b, c]
    await Promise.all(
      all.map((s) =>
        connectedTo(
          s,
          all.filter((o) => o !== s),
        ),
      ),
    )

    // Revalidation fetches each table node's record; peersInfo then carries it.
    await vi.waitFor(() => {
      const enrs = boot.peersInfo().map((p) => p.enr)
      expect(enrs).toHaveLength(2)
      expect(enrs).toEqual(
        expect.arrayContaining([discoveryOf(b).udp.enr.toText(), discoveryOf(c).udp.enr.toText()]),
      )
    }, wait)
  })

  it('reopens its node database on restart and rejoins without bootnodes', async () => {
    const dir = await tempDir()
    const nodeDatabase = join(dir, 'nodes')
    const boot = server()
    await boot.start()
    const key = generatePrivateKey()
    const first = server({ nodeDatabase }, { privateKey: key, bootnodes: [boot.nodeInfo().enode] })
    await first.start()
    await connectedTo(first, [boot])
    // The seed copy stores the bootnode once it answered a revalidation ping.
    await vi.waitFor(() => expect(discoveryOf(first).db.node(boot.id)).toBeDefined(), wait)
    await first.stop()
    expect(first.discovery).toBeUndefined()

    const again = server({ nodeDatabase }, { privateKey: key })
    await again.start()
    expect(discoveryOf(again).db.node(boot.id)?.node.idHex).toBe(boot.idHex)
    await connectedTo(again, [boot])
  })

  it('closes the TCP listener when the node database cannot be opened', async () => {
    const nodeDatabase = join(await tempDir(), 'nodes')
    const held = await openNodeDB({ path: nodeDatabase })
    try {
      let listening: string | undefined
      const logger = {
        ...noopLogger,
        info: (msg: string, fields?: LogFields) => {
          if (msg === 'listening') listening = fields?.address as string
        },
      }
      const s = server({ nodeDatabase }, { logger })
      await expect(s.start()).rejects.toMatchObject({ code: 'ERR_DB_OPEN' })
      expect(s.listenAddress).toBeUndefined()
      expect(s.discovery).toBeUndefined()
      // The TCP port was bound, then released.
      const [ip, port] = (listening as string).split(':')
      await expect(
        new Promise((resolve, reject) => {
          const sock = connect(Number(port), ip as string)
          sock.on('connect', () => {
            sock.destroy()
            resolve('connected')
          })
          sock.on('error', reject)
        }),
      ).rejects.toMatchObject({ code: 'ECONNREFUSED' })
      await s.stop()
    } finally {
      await held.close()
    }
  })

  it('binds UDP on the given port, else on a fixed listen port, else on any port', async () => {
    const ports: (number | undefined)[] = []
    const failure = new Error('stop here')
    const start = (config: DiscoveryV4Config, listen: { ip: string; port: number } | null) =>
      startDiscoveryV4({ ...startOf(config, listen), tcpPort: 30311 }, (options) => {
        ports.push(options.port)
        return Promise.reject(failure)
      }).catch(() => {})
    await start({}, { ip: '127.0.0.1', port: 30311 })
    await start({}, { ip: '127.0.0.1', port: 0 })
    await start({}, null)
    await start({ port: 30399 }, { ip: '127.0.0.1', port: 30311 })
    expect(ports).toEqual([30311, 0, 0, 30399])
  })

  it('closes the node database when discovery fails to start', async () => {
    const nodeDatabase = join(await tempDir(), 'nodes')
    const failure = new Error('EADDRINUSE')
    const start = startDiscoveryV4(startOf({ nodeDatabase }, { ip: '127.0.0.1', port: 0 }), () =>
      Promise.reject(failure),
    )
    await expect(start).rejects.toBe(failure)
    // LevelDB lets another open take the store only once it was closed.
    const db = await openNodeDB({ path: nodeDatabase })
    await db.close()
  })

  it('runs no discovery with noDiscovery, and refuses both discovery and discoveryV4', async () => {
    const s = server({}, { noDiscovery: true })
    await s.start()
    expect(s.discovery).toBeUndefined()
    expect(s.nodeInfo().enr).toBeUndefined()
    const given: DialDiscovery = {
      readRandomNodes: () => [],
      randomNodes: async function* () {},
      resolve: async () => undefined,
    }
    expect(
      () =>
        new Server({
          privateKey: generatePrivateKey(),
          discovery: given,
          discoveryV4: {},
        }),
    ).toThrow(expect.objectContaining({ code: 'ERR_DISCOVERY_CONFLICT' }))
  })
})
