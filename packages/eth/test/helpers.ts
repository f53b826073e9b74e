import { toHex } from '@x/core'
import type { ManualClock } from '@x/core/testing'
import { generatePrivateKey, Node, nodeIdFromPrivateKey } from '@x/discover'
import {
  type DisconnectReason,
  type MsgReadWriter,
  type Protocol,
  type ProtocolPeer,
  Server,
} from '@x/p2p'
import { type MemoryNetwork, transportPair } from '@x/p2p/testing'
import { devnet } from '../src/chain.js'
import { forkFilter, forkIdAt } from '../src/forkid.js'
import type { HandshakeOptions } from '../src/handshake.js'
import type { EthVersion } from '../src/messages/codes.js'

/** A ProtocolPeer with a fresh id that records its disconnect reason. */
export function fakePeer(): ProtocolPeer & { reason?: DisconnectReason } {
  const id = nodeIdFromPrivateKey(generatePrivateKey())
  const ac = new AbortController()
  const peer: ProtocolPeer & { reason?: DisconnectReason } = {
    id,
    idHex: toHex(id),
    clientId: 'test',
    caps: [],
    remoteAddress: { ip: '127.0.0.1', port: 30303 },
    inbound: false,
    signal: ac.signal,
    disconnect(reason) {
      if (peer.reason === undefined) peer.reason = reason
      ac.abort()
    },
  }
  return peer
}

/** Two connected message read/writers. */
export function rwPair(): [MsgReadWriter & { close(): void }, MsgReadWriter & { close(): void }] {
  const a = nodeIdFromPrivateKey(generatePrivateKey())
  const b = nodeIdFromPrivateKey(generatePrivateKey())
  return transportPair(a, b)
}

/** Handshake options of a devnet node at genesis. */
export function devnetHandshake(version: EthVersion): HandshakeOptions {
  const head = { number: 0, time: devnet.genesisTime }
  return {
    version,
    networkId: devnet.networkId,
    genesis: devnet.genesisHash,
    forkId: forkIdAt(devnet, head.number, head.time),
    forkFilter: forkFilter(devnet, () => head),
    head: { hash: devnet.genesisHash, td: 1n },
    range: { earliestBlock: 0, latestBlock: 0, latestHash: devnet.genesisHash },
  }
}

/**
 * A p2p server on the in-memory network at `ip`:30303 running `protocols`, dialing only its
 * static nodes (no discovery); not started. `node` is how others dial it.
 */
export function memoryServer(
  net: MemoryNetwork,
  ip: string,
  clock: ManualClock,
  protocols: Protocol[],
  staticNodes: Node[] = [],
): { server: Server; node: Node } {
  const server = new Server({
    privateKey: generatePrivateKey(),
    network: net.host(ip),
    clock,
    listenAddress: { ip, port: 30303 },
    protocols,
    staticNodes,
    noDiscovery: true,
  })
  return { server, node: new Node({ id: server.id, ip, udp: 30303, tcp: 30303 }) }
}

/** Advances the clock 10 ms at a time (up to 5 s) until `cond` holds; throws naming `what`. */
export async function untilClock(clock: ManualClock, cond: () => boolean, what: string) {
  for (let i = 0; i < 500 && !cond(); i++) await clock.advance(10)
  if (!cond()) throw new Error(`timed out waiting for ${what}`)
}
