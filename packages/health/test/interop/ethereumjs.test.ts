import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Common, Hardfork, Mainnet } from '@ethereumjs/common'
import { ETH, RLPx } from '@ethereumjs/devp2p'
import { formatEnode, generatePrivateKey, Node, nodeIdFromPrivateKey } from '@x/discover'
import {
  DisconnectReason,
  type MsgReadWriter,
  type Protocol,
  type ProtocolPeer,
  rlpx,
  Server,
  tcpNetwork,
} from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import { NodeHealth, rlpxCheckDialer, runCheckCli } from '../../src/index.js'

// Interop with @ethereumjs/devp2p over real sockets on 127.0.0.1: the
// checker passes L4 + RLPx handshake + hello + base ping against it, and, since it does not
// speak ping/1, our tracker times its base-protocol Ping/Pong instead.

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A capability both sides share that sends nothing, so the link stays up with no eth Status. */
const idleName = 'idle'
/** ethereumjs instantiates it as `new EjsIdle(version, peer, send)`. */
class EjsIdle {
  _handleMessage(): void {}
}
const ejsIdleCap = { name: idleName, version: 1, length: 1, constructor: EjsIdle }
const ourIdle: Protocol = {
  name: idleName,
  version: 1,
  length: 1,
  run: (_peer: ProtocolPeer, _rw: MsgReadWriter, signal: AbortSignal) =>
    new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())),
}

interface EjsPeerLike {
  _hello: { clientId: string } | null
}

/** An ethereumjs RLPx node listening on 127.0.0.1 with `caps`. */
async function ejsNode(caps: unknown[]) {
  const key = generatePrivateKey()
  const rlpxNode = new RLPx(key, {
    dpt: null,
    maxPeers: 10,
    capabilities: caps as never,
    common: new Common({ chain: Mainnet, hardfork: Hardfork.Prague }),
    listenPort: null,
  })
  cleanups.push(() => rlpxNode.destroy())
  rlpxNode.events.on('peer:error', () => {})
  const added = new Promise<EjsPeerLike>((resolve) =>
    rlpxNode.events.once('peer:added', (p) => resolve(p as unknown as EjsPeerLike)),
  )
  const removed = new Promise<number>((resolve) =>
    rlpxNode.events.once('peer:removed', (_p: unknown, reason: number) => resolve(reason)),
  )
  const listening = new Promise<void>((r) => rlpxNode.events.once('listening', () => r()))
  rlpxNode.listen(0, '127.0.0.1')
  await listening
  const port = (
    rlpxNode as unknown as { _server: { address(): { port: number } } }
  )._server.address().port
  const node = new Node({ id: nodeIdFromPrivateKey(key), ip: '127.0.0.1', udp: port, tcp: port })
  return { node, added, removed }
}

describe('interop with @ethereumjs/devp2p', () => {
  it('the checker passes L4, RLPx handshake + hello and base ping against ethereumjs', async () => {
    const ejs = await ejsNode([ETH.eth68])
    const out: string[] = []
    const code = await runCheckCli([formatEnode(ejs.node), '--json'], {
      dial: rlpxCheckDialer(),
      io: { out: (t) => out.push(t), err: (t) => out.push(t) },
    })
    const report = JSON.parse(out.join('')) as {
      ok: boolean
      steps: { name: string; status: string; ms?: number; note?: string }[]
      remote: { clientId: string; caps: string[] }
    }
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['tcp', 'pass'],
      ['handshake', 'pass'],
      ['base-ping', 'pass'],
      ['ping/1', 'skip'],
    ])
    expect(report.steps[2]!.ms).toBeGreaterThanOrEqual(0)
    expect(report.steps[3]!.note).toMatch(/does not speak ping\/1/)
    expect(report.remote.clientId).toMatch(/ethereumjs/i)
    expect(report.remote.caps).toContain('eth/68')
    expect(report.ok).toBe(true)
    expect(code).toBe(0)
    // ethereumjs saw our hello, and we left politely.
    expect((await ejs.added)._hello?.clientId).toBe('x-health-check')
    expect(await ejs.removed).toBe(DisconnectReason.Requested)
  })

  it('the x-health-check bin exits 0 against ethereumjs', async () => {
    const ejs = await ejsNode([ETH.eth68])
    const bin = fileURLToPath(new URL('../../src/bin/x-health-check.ts', import.meta.url))
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>(
      (resolve) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', bin, formatEnode(ejs.node)],
          { timeout: 20_000 },
          (_err, stdout) => resolve({ code: child.exitCode, stdout }),
        )
      },
    )
    expect(stdout).toMatch(/PASS\s+L4 TCP connect/)
    expect(stdout).toMatch(/remote client: .*ethereumjs/i)
    expect(stdout).toContain('result: PASS')
    expect(code).toBe(0)
  }, 30_000)

  it('our tracker falls back to timing base Ping/Pong for a peer without ping/1', async () => {
    const ejs = await ejsNode([ejsIdleCap])
    const health = new NodeHealth({ requireDiscovery: false, http: { port: 0 } })
    const server = new Server({
      privateKey: generatePrivateKey(),
      network: tcpNetwork(rlpx),
      listenAddress: null,
      protocols: [health.ping, ourIdle],
      onMessage: health.liveness.messageEvent,
      staticNodes: [ejs.node],
      pingInterval: 100,
    })
    health.attach(server)
    cleanups.push(async () => {
      await health.stop()
      await server.stop()
    })
    const id = ejs.node.idHex
    const twoSamples = new Promise<void>((resolve) => {
      health.tracker.addEventListener('peer:rtt', () => {
        if ((health.tracker.get(id)?.rtt.samples ?? 0) >= 2) resolve()
      })
    })
    await server.start()
    await health.start()
    await twoSamples

    expect(health.ping.has(id)).toBe(false)
    const p = health.tracker.get(id)!
    expect(p).toMatchObject({ state: 'healthy', rttSource: 'base', address: { ip: '127.0.0.1' } })
    expect(p.clientId).toMatch(/ethereumjs/i)
    expect(p.rtt.min).toBeGreaterThanOrEqual(0)
    expect(p.rtt.p50).toBeDefined()
    const res = await fetch(`http://127.0.0.1:${health.http!.address!.port}/health/peers`)
    const body = (await res.json()) as { peers: { id: string; rttSource: string }[] }
    expect(body.peers).toEqual([expect.objectContaining({ id, rttSource: 'base' })])
  })
})
