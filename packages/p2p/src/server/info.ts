import { toHex } from '@x/core'
import { formatEnode, Node, type NodeId, nodeIdHash } from '@x/discover'
import type { Peer } from '../peer/peer.js'
import type { Protocol } from '../protocol.js'

/** `admin_nodeInfo` of go-ethereum: who we are. */
export interface NodeInfo {
  /** keccak256 of the node ID, hex (go-ethereum's enode.ID). */
  id: string
  /** Our client id, sent in the hello. */
  name: string
  enode: string
  /** Our node record (`enr:…`): given by `enr`, else from the discovery the server runs. */
  enr?: string
  ip: string
  ports: { discovery: number; listener: number }
  listenAddr: string
  /** Per protocol name: the protocol's `nodeInfo()`, or "unknown". */
  protocols: Record<string, unknown>
}

/** One entry of go-ethereum's `admin_peers`. */
export interface PeerInfo {
  /** enode URL of the remote (its address and, when it listens, its hello's listen port). */
  enode: string
  /** keccak256 of the node ID, hex. */
  id: string
  /** The remote's node record (`enr:…`), when discovery knows it. */
  enr?: string
  /** The remote's client id. */
  name: string
  /** The remote's capabilities, as `name/version`. */
  caps: string[]
  network: {
    localAddress: string
    remoteAddress: string
    inbound: boolean
    trusted: boolean
    static: boolean
  }
  /** Per running protocol: the protocol's `peerInfo(id)`, or "handshake" before it has one. */
  protocols: Record<string, unknown>
}

/** `ip:port`, with an IPv6 address in brackets. */
export function hostPort(a: { ip: string; port: number }): string {
  return a.ip.includes(':') ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`
}

/** Builds `admin_nodeInfo`. A listener on 0.0.0.0/:: is announced as 127.0.0.1 unless `externalIp`. */
export function nodeInfo(o: {
  id: NodeId
  name: string
  listener: { ip: string; port: number } | undefined
  externalIp: string | undefined
  discoveryPort: number | undefined
  enr: string | undefined
  protocols: readonly Protocol[]
}): NodeInfo {
  const port = o.listener?.port ?? 0
  const listenIp = o.listener?.ip ?? '0.0.0.0'
  const ip = o.externalIp ?? (listenIp === '0.0.0.0' || listenIp === '::' ? '127.0.0.1' : listenIp)
  const udp = o.discoveryPort ?? port
  const protocols: Record<string, unknown> = {}
  for (const p of o.protocols) protocols[p.name] ??= p.nodeInfo?.() ?? 'unknown'
  return {
    id: toHex(nodeIdHash(o.id)),
    name: o.name,
    enode: formatEnode(new Node({ id: o.id, ip, udp, tcp: port })),
    ...(o.enr === undefined ? {} : { enr: o.enr }),
    ip,
    ports: { discovery: udp, listener: port },
    listenAddr: hostPort({ ip, port }),
    protocols,
  }
}

/** Builds one `admin_peers` entry. */
export function peerInfo(
  peer: Peer,
  o: {
    listener: { ip: string; port: number } | undefined
    trusted: boolean
    static: boolean
    /** The remote's record, when known. */
    enr: string | undefined
  },
): PeerInfo {
  const { ip, port } = peer.remoteAddress
  const tcp = peer.inbound && peer.hello.listenPort !== 0 ? peer.hello.listenPort : port
  const protocols: Record<string, unknown> = {}
  for (const { protocol } of peer.running) {
    protocols[protocol.name] = protocol.peerInfo?.(peer.id) ?? 'handshake'
  }
  return {
    enode: formatEnode(new Node({ id: peer.id, ip, udp: tcp, tcp })),
    id: toHex(nodeIdHash(peer.id)),
    ...(o.enr === undefined ? {} : { enr: o.enr }),
    name: peer.clientId,
    caps: peer.caps.map((c) => `${c.name}/${c.version}`),
    network: {
      localAddress: o.listener ? hostPort(o.listener) : '',
      remoteAddress: hostPort({ ip, port }),
      inbound: peer.inbound,
      trusted: o.trusted,
      static: o.static,
    },
    protocols,
  }
}
