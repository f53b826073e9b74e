import { ManualClock } from '@x/core/testing'
import { generatePrivateKey, Node, type NodeId, nodeIdFromPrivateKey } from '@x/discover'
import { afterEach, beforeEach, expect } from 'vitest'
import {
  baseProtocolVersion,
  expectMsg,
  type MsgReadWriter,
  type Protocol,
  type ProtocolPeer,
  Server,
  type ServerOptions,
  type Transport,
} from '../../src/index.js'
import { MemoryNetwork } from '../../src/testing/index.js'

/** A protocol that answers message 0 with message 1 carrying the same payload. */
export function echoProtocol(name = 'echo', version = 1): Protocol & { runs: ProtocolPeer[] } {
  const runs: ProtocolPeer[] = []
  return {
    name,
    version,
    length: 2,
    runs,
    async run(peer: ProtocolPeer, rw: MsgReadWriter) {
      runs.push(peer)
      for (;;) {
        const msg = await rw.readMsg()
        if (msg.code === 0) await rw.writeMsg(1, msg.payload)
      }
    },
  }
}

export function makeServer(
  net: MemoryNetwork,
  ip: string,
  clock: ManualClock,
  options: Partial<ServerOptions> = {},
): Server {
  return new Server({
    privateKey: generatePrivateKey(),
    network: net.host(ip),
    clock,
    listenAddress: { ip, port: 30303 },
    protocols: [echoProtocol()],
    ...options,
  })
}

/** What {@link serverFixture} gives each test. */
export interface ServerFixture {
  /** This test's clock (fresh per test). */
  readonly clock: ManualClock
  /** This test's in-memory network, on `clock`. */
  readonly net: MemoryNetwork
  /** A server on `net` at `ip` (see {@link makeServer}), stopped after the test. */
  server(ip: string, options?: Partial<ServerOptions>): Server
}

/**
 * Registers the hooks that give each test a fresh {@link ManualClock} and {@link MemoryNetwork}
 * and, after it, stop every server it made and assert that nothing is left listening or
 * scheduled.
 */
export function serverFixture(): ServerFixture {
  let clock: ManualClock | undefined
  let net: MemoryNetwork | undefined
  const servers: Server[] = []
  beforeEach(() => {
    const c = new ManualClock()
    clock = c
    net = new MemoryNetwork({ now: () => c.now() })
  })
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()))
    expect(net?.listeners).toBe(0)
    expect(clock?.pending).toBe(0)
  })
  const fixture: ServerFixture = {
    get clock() {
      if (!clock) throw new Error('serverFixture: used outside a test')
      return clock
    },
    get net() {
      if (!net) throw new Error('serverFixture: used outside a test')
      return net
    },
    server(ip, options = {}) {
      const s = makeServer(fixture.net, ip, fixture.clock, options)
      servers.push(s)
      return s
    },
  }
  return fixture
}

export function nodeOf(server: Server): Node {
  const a = server.listenAddress
  if (!a) throw new Error('server not listening')
  return new Node({ id: server.id, ip: a.ip, udp: a.port, tcp: a.port })
}

/** Connects to `server` as a bare node (no server of its own); returns the link and our ID. */
export async function rawConnect(
  net: MemoryNetwork,
  ip: string,
  server: Server,
  key: Uint8Array = generatePrivateKey(),
): Promise<{ t: Transport; id: NodeId }> {
  const id = nodeIdFromPrivateKey(key)
  const t = await net
    .host(ip)
    .dial(nodeOf(server), { privateKey: key, id }, { signal: new AbortController().signal })
  return { t, id }
}

export function rawHello(id: NodeId, caps = [{ name: 'echo', version: 1 }]) {
  return { version: baseProtocolVersion, clientId: 'raw', caps, listenPort: 0, id }
}

/** Resolves with the next event of `type` on `server`. */
export function nextEvent<
  K extends 'peer:added' | 'peer:removed' | 'conn:failed' | 'conn:handshake',
>(server: Server, type: K) {
  return new Promise<Parameters<Parameters<typeof server.addEventListener<K>>[1]>[0]['detail']>(
    (resolve) => server.addEventListener(type, (e) => resolve(e.detail), { once: true }),
  )
}

export { expectMsg }
