import { createSocket } from 'node:dgram'
import { DPT, genPrivateKey } from '@ethereumjs/devp2p'
import { bytesToHex } from '@noble/hashes/utils.js'
import { started } from '@x/core'
import { afterEach, describe, expect, it } from 'vitest'
import { generatePrivateKey, Node, type NodeId, type NodeSource } from '../../src/index.js'
import { bootstrap, UDPv4 } from '../../src/udp/index.js'

// Interop with @ethereumjs/devp2p's DPT over real UDP on 127.0.0.1.

/** A free UDP port, read back from a socket bound to port 0 (DPT must know its port up front). */
async function freePort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  const { port } = s.address()
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

interface DptPeer {
  id?: Uint8Array
  address?: string
  udpPort?: number | null
}

async function startDpt(): Promise<{ dpt: DPT; node: Node }> {
  const key = genPrivateKey()
  const port = await freePort()
  const dpt = new DPT(key, {
    endpoint: { address: '127.0.0.1', udpPort: port, tcpPort: port },
    refreshInterval: 1000,
    shouldFindNeighbours: true,
  })
  dpt.events.on('error', () => {})
  const listening = new Promise<void>((r) => dpt.events.once('listening', () => r()))
  dpt.bind(port, '127.0.0.1')
  await listening
  closers.push(() => dpt.destroy())
  return {
    dpt,
    node: new Node({ id: dpt.id as Uint8Array, ip: '127.0.0.1', udp: port, tcp: port }),
  }
}

/** Our service with the set of bonded nodes as its NodeSource. */
async function startOurs(): Promise<{ udp: UDPv4; bonded: Map<string, Node> }> {
  const udp = await started(
    new UDPv4({
      privateKey: generatePrivateKey(),
      host: '127.0.0.1',
      port: 0,
      ntp: false,
    }),
  )
  closers.push(() => udp.stop())
  const bonded = new Map<string, Node>()
  udp.addEventListener('bonded', (e) => bonded.set(e.detail.node.idHex, e.detail.node))
  const source: NodeSource = {
    closest: (_t: NodeId, n: number) => [...bonded.values()].slice(0, n),
  }
  udp.setNodeSource(source)
  return { udp, bonded }
}

function dptAdded(dpt: DPT, id: Uint8Array): Promise<void> {
  const hex = bytesToHex(id)
  return new Promise((resolve) => {
    if (dpt.getPeers().some((p: DptPeer) => p.id && bytesToHex(p.id) === hex)) return resolve()
    const on = (p: DptPeer) => {
      if (p.id && bytesToHex(p.id) === hex) {
        dpt.events.off('peer:added', on)
        resolve()
      }
    }
    dpt.events.on('peer:added', on)
  })
}

function oursBonded(udp: UDPv4, bonded: Map<string, Node>, id: Uint8Array): Promise<void> {
  const hex = bytesToHex(id)
  return new Promise((resolve) => {
    if (bonded.has(hex)) return resolve()
    const ac = new AbortController()
    udp.addEventListener(
      'bonded',
      (e) => {
        if (e.detail.node.idHex === hex) {
          ac.abort()
          resolve()
        }
      },
      { signal: ac.signal },
    )
  })
}

const closers: (() => unknown)[] = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

describe('interop with @ethereumjs/devp2p DPT', () => {
  it('DPT bootstraps from us: both bond, and our FindNode answer teaches it our other nodes', async () => {
    const ours = await startOurs()
    // Another of our nodes, bonded with ours, to be relayed to the DPT in Neighbors.
    const other = await startOurs()
    await bootstrap(other.udp, [ours.udp.self])
    await oursBonded(ours.udp, ours.bonded, other.udp.self.id)

    const { dpt, node } = await startDpt()
    const dptKnowsUs = dptAdded(dpt, ours.udp.self.id)
    const weKnowDpt = oursBonded(ours.udp, ours.bonded, node.id)
    const dptLearnsOther = dptAdded(dpt, other.udp.self.id)
    await dpt.bootstrap({
      address: '127.0.0.1',
      udpPort: ours.udp.self.udp,
      tcpPort: ours.udp.self.tcp,
    })
    await Promise.all([dptKnowsUs, weKnowDpt])
    // The DPT's FindNode is answered once bonded (its refresh repeats it within ~1 s).
    await dptLearnsOther
    expect(ours.bonded.get(node.idHex)?.udp).toBe(node.udp)
  }, 10_000)

  it('we bootstrap from a DPT: both bond, and our FindNode returns the nodes it knows', async () => {
    const a = await startDpt()
    const b = await startDpt()
    // a knows b.
    await a.dpt.bootstrap({ address: '127.0.0.1', udpPort: b.node.udp, tcpPort: b.node.tcp })
    await dptAdded(a.dpt, b.node.id)

    const ours = await startOurs()
    const dptKnowsUs = dptAdded(a.dpt, ours.udp.self.id)
    const result = await bootstrap(ours.udp, [a.node])
    expect(result.failed).toEqual([])
    expect(result.bonded.map((n) => n.idHex)).toEqual([a.node.idHex])
    await dptKnowsUs
    await oursBonded(ours.udp, ours.bonded, a.node.id)

    const found = await ours.udp.findnode(a.node, ours.udp.self.id)
    expect(found.map((n) => n.idHex)).toContain(b.node.idHex)
    // Its answer lists b at b's real endpoint.
    expect(found.find((n) => n.idHex === b.node.idHex)?.udp).toBe(b.node.udp)
  }, 10_000)
})
