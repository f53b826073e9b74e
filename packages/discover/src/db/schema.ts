import {
  asBigUint,
  asBytes,
  asFixedBytes,
  asList,
  asUint,
  bytesToIp,
  decodeRlp,
  encodeRlp,
  ipToBytes,
  toHex,
} from '@x/core'
import { NodeDBError } from '../errors.js'
import { Node } from '../node.js'
import type { EndpointState } from './memory.js'
import type { NodeDBEntry } from './types.js'

/**
 * The on-disk layout of the persistent node database, after go-ethereum's enode.DB idea (one
 * key per node record, per-endpoint bond state beside it, a version key, our own record's seq)
 * in our own encoding. Keys are UTF-8 strings, values RLP lists:
 *
 *   version              → [schemaVersion, selfId or ""]
 *   n:<id hex>           → [id, ip, udp, tcp, lastSeen, enr or ""]
 *   e:<id hex>|<ip>      → [lastPingReceived, lastPongReceived, findFails]
 *   local:<id hex>:seq   → [seq]
 *
 * Bump `schemaVersion` whenever a value's shape changes: a store written by another version is
 * wiped on open (its content is a cache of the network, cheap to relearn).
 */
export const dbSchema = {
  schemaVersion: 1,
  versionKey: 'version',
  nodePrefix: 'n:',
  endpointPrefix: 'e:',
  localPrefix: 'local:',
} as const

export const nodeKey = (idHex: string) => `${dbSchema.nodePrefix}${idHex}`
/** `memKey` is MemoryNodeDB's endpoint key, `<id hex>|<ip>`. */
export const endpointKey = (memKey: string) => `${dbSchema.endpointPrefix}${memKey}`
export const localSeqKey = (idHex: string) => `${dbSchema.localPrefix}${idHex}:seq`

const corrupt = (key: string, what: string, cause?: unknown) =>
  new NodeDBError('ERR_DB_CORRUPT', `corrupt node DB value at ${key}: ${what}`, { key, cause })

/** Runs a decoder, turning any failure into an `ERR_DB_CORRUPT` NodeDBError naming the key. */
function decoding<T>(key: string, fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof NodeDBError) throw e
    throw corrupt(key, (e as Error).message, e)
  }
}

export function encodeVersion(selfId: Uint8Array | undefined): Uint8Array {
  return encodeRlp([dbSchema.schemaVersion, selfId ?? new Uint8Array(0)])
}

export function encodeNodeEntry(e: NodeDBEntry): Uint8Array {
  const { node } = e
  return encodeRlp([
    node.id,
    ipToBytes(node.ip),
    node.udp,
    node.tcp,
    Math.max(0, Math.trunc(e.lastSeen)),
    e.enr ?? new Uint8Array(0),
  ])
}

/** Decodes a node record; its ID must match the one in its key. Throws `ERR_DB_CORRUPT`. */
export function decodeNodeEntry(key: string, value: Uint8Array): NodeDBEntry {
  return decoding(key, () => {
    const l = asList(decodeRlp(value), 'node record')
    if (l.length !== 6) throw corrupt(key, `node record has ${l.length} fields, want 6`)
    const id = asFixedBytes(l[0], 64, 'id')
    if (`${dbSchema.nodePrefix}${toHex(id)}` !== key) throw corrupt(key, 'ID does not match key')
    const node = new Node({
      id,
      ip: bytesToIp(asBytes(l[1], 'ip')),
      udp: asUint(l[2], 'udp'),
      tcp: asUint(l[3], 'tcp'),
    })
    const lastSeen = asUint(l[4], 'lastSeen')
    const enr = asBytes(l[5], 'enr')
    return enr.length > 0 ? { node, enr, lastSeen } : { node, lastSeen }
  })
}

export function encodeEndpoint(st: EndpointState): Uint8Array {
  const t = (x: number) => Math.max(0, Math.trunc(x))
  return encodeRlp([t(st.lastPing), t(st.lastPong), t(st.findFails)])
}

/** Decodes endpoint state; returns it with its MemoryNodeDB key. Throws `ERR_DB_CORRUPT`. */
export function decodeEndpoint(key: string, value: Uint8Array): [string, EndpointState] {
  return decoding(key, () => {
    const memKey = key.slice(dbSchema.endpointPrefix.length)
    const bar = memKey.indexOf('|')
    if (!/^[0-9a-f]{128}$/.test(memKey.slice(0, bar)) || bar + 1 >= memKey.length) {
      throw corrupt(key, 'malformed endpoint key')
    }
    const l = asList(decodeRlp(value), 'endpoint state')
    if (l.length !== 3) throw corrupt(key, `endpoint state has ${l.length} fields, want 3`)
    return [
      memKey,
      {
        lastPing: asUint(l[0], 'lastPing'),
        lastPong: asUint(l[1], 'lastPong'),
        findFails: asUint(l[2], 'findFails'),
      },
    ]
  })
}

export function encodeSeq(seq: bigint): Uint8Array {
  return encodeRlp([seq])
}

export function decodeSeq(key: string, value: Uint8Array): bigint {
  return decoding(key, () => {
    const l = asList(decodeRlp(value), 'seq')
    if (l.length !== 1) throw corrupt(key, `seq has ${l.length} fields, want 1`)
    return asBigUint(l[0], 'seq', 8)
  })
}

/** The schema version and node ID a store was written with. Throws `ERR_DB_CORRUPT`. */
export function decodeVersion(value: Uint8Array): { version: number; selfId: Uint8Array } {
  return decoding(dbSchema.versionKey, () => {
    const l = asList(decodeRlp(value), 'version')
    return { version: asUint(l[0], 'version'), selfId: asBytes(l[1], 'selfId') }
  })
}
