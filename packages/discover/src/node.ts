import { secp256k1 } from '@noble/curves/secp256k1.js'
import {
  compressPublicKey,
  decompressPublicKey,
  fromHex,
  getCrypto,
  isValidPort,
  isValidPublicKey,
  normalizeIp,
  toHex,
} from '@x/core'
import { DiscoverError } from './errors.js'

/**
 * A v4 node ID: the node's 64-byte secp256k1 public key (X ‖ Y, no 0x04 prefix), as discv4
 * and RLPx carry it. Its keccak256 is the 32-byte ID distances are measured in.
 */
export type NodeId = Uint8Array

/** True if `id` is 64 bytes and a point on secp256k1. */
export function isValidNodeId(id: Uint8Array): boolean {
  if (id.length !== 64) return false
  return isValidPublicKey(id)
}

/** The node ID of a public key given as 64 bytes, 65 bytes (0x04 ‖ X ‖ Y) or 33 bytes (compressed). */
export function nodeIdFromPublicKey(publicKey: Uint8Array): NodeId {
  if (publicKey.length === 64) {
    if (!isValidNodeId(publicKey)) {
      throw new DiscoverError('ERR_INVALID_PUBLIC_KEY', 'public key is not on secp256k1')
    }
    return publicKey.slice()
  }
  try {
    if (publicKey.length === 33) {
      return decompressPublicKey(publicKey)
    }
    return secp256k1.Point.fromBytes(publicKey).toBytes(false).subarray(1)
  } catch (cause) {
    throw new DiscoverError('ERR_INVALID_PUBLIC_KEY', 'invalid secp256k1 public key', { cause })
  }
}

/** The 33-byte compressed form of a node ID's public key (as ENR's `secp256k1` entry holds it). */
export function compressNodeId(id: NodeId): Uint8Array {
  return compressPublicKey(id)
}

/** The node ID of a private key. */
export function nodeIdFromPrivateKey(privateKey: Uint8Array): NodeId {
  return getCrypto().publicKey(privateKey)
}

/** keccak256 of the node ID: the point in the 256-bit ID space that Kademlia distances use. */
export function nodeIdHash(id: NodeId): Uint8Array {
  return getCrypto().keccak256(id)
}

/** Parses 128 hex characters (optional 0x) into a node ID. */
export function parseNodeId(hex: string): NodeId {
  const text = hex.replace(/^0x/i, '')
  if (!/^[0-9a-fA-F]{128}$/.test(text)) {
    throw new DiscoverError('ERR_INVALID_NODE_ID', 'node ID must be 128 hex characters')
  }
  const id = fromHex(text)
  if (!isValidNodeId(id)) {
    throw new DiscoverError('ERR_INVALID_NODE_ID', 'node ID is not a secp256k1 public key')
  }
  return id
}

export interface NodeInit {
  id: NodeId
  ip: string
  /** UDP (discovery) port. */
  udp: number
  /** TCP (RLPx) port. */
  tcp: number
}

/**
 * A node on the network: its ID and endpoint (go-ethereum's enode.Node for the v4 scheme).
 * Immutable; the ID's hash and hex form are computed once, on first use.
 */
export class Node {
  readonly id: NodeId
  readonly ip: string
  readonly udp: number
  readonly tcp: number
  #hash: Uint8Array | undefined
  #idHex: string | undefined

  constructor(init: NodeInit) {
    if (init.id.length !== 64) {
      throw new DiscoverError(
        'ERR_INVALID_NODE_ID',
        `node ID must be 64 bytes, got ${init.id.length}`,
      )
    }
    if (!isValidPort(init.udp) || !isValidPort(init.tcp)) {
      throw new DiscoverError('ERR_INVALID_PORT', `invalid port: udp ${init.udp}, tcp ${init.tcp}`)
    }
    this.id = init.id
    this.ip = normalizeIp(init.ip)
    this.udp = init.udp
    this.tcp = init.tcp
  }

  /** keccak256(id), cached. */
  get hash(): Uint8Array {
    this.#hash ??= nodeIdHash(this.id)
    return this.#hash
  }

  /** The ID as 128 lower-case hex characters, cached. */
  get idHex(): string {
    this.#idHex ??= toHex(this.id)
    return this.#idHex
  }

  /** Same ID and endpoint. */
  equals(other: Node): boolean {
    return (
      this.idHex === other.idHex &&
      this.ip === other.ip &&
      this.udp === other.udp &&
      this.tcp === other.tcp
    )
  }

  /** A copy with another endpoint. */
  withEndpoint(endpoint: { ip?: string; udp?: number; tcp?: number }): Node {
    return new Node({
      id: this.id,
      ip: endpoint.ip ?? this.ip,
      udp: endpoint.udp ?? this.udp,
      tcp: endpoint.tcp ?? this.tcp,
    })
  }

  toString(): string {
    return `${this.idHex.slice(0, 16)}@${this.ip.includes(':') ? `[${this.ip}]` : this.ip}:${this.tcp}`
  }
}
