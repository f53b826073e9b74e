import { createSocket } from 'node:dgram'
import { Discv5 } from '@chainsafe/discv5'
import { ENR, SignableENR } from '@chainsafe/enr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { fromHex, toHex } from '@x/core'
import { Enr, generatePrivateKey, type Node } from '../../src/index.js'
import { DiscoveryV5 } from '../../src/v5/index.js'

/** Timeouts generous enough for a machine loaded by parallel test runs (never hit when all is well). */
export const slow = { respTimeoutMs: 3000, handshakeTimeoutMs: 6000 }

/** A free UDP port on 127.0.0.1 (chainsafe's ENR needs its port before it binds). */
export async function freePort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
  const { port } = s.address()
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/** A started @chainsafe/discv5 node on 127.0.0.1. */
export async function startChainsafe(): Promise<Discv5> {
  // @libp2p/crypto 5 types its keys with @libp2p/interface 3; discv5 11 expects interface 2's
  // (the same object at run time).
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
    config: { requestTimeout: 3000, enrUpdate: false, lookupTimeout: 20_000 },
  })
  await d.start()
  return d
}

/** One of ours on 127.0.0.1, fast table maintenance off (tests drive refreshes). */
export async function startOurs(bootnodes: string[] = []): Promise<DiscoveryV5> {
  const d = new DiscoveryV5({
    privateKey: generatePrivateKey(),
    host: '127.0.0.1',
    port: 0,
    bootnodes,
    ...slow,
  })
  await d.start()
  return d
}

/** Their record as ours. */
export function theirRecord(d: Discv5): Enr {
  return Enr.fromText(d.enr.toENR().encodeTxt())
}

export function theirNode(d: Discv5): Node {
  return theirRecord(d).toNode()!
}

/** Our record as theirs. */
export function ourRecord(d: DiscoveryV5): ENR {
  return ENR.decodeTxt(d.enr.toText())
}

/** A discv5 node ID (32-byte hex) of ours, as chainsafe writes them. */
export function ourId(d: DiscoveryV5): string {
  return toHex(d.udp.localId)
}

export { fromHex }
