import {
  asBigUint,
  asBytes,
  asList,
  asString,
  asUint,
  bytesToIp,
  decodeRlp,
  encodeRlp,
  getCrypto,
  ipToBytes,
  type RlpInput,
  type RlpItem,
  verifySignature,
} from '@x/core'
import { EnrError } from '../errors.js'
import { compressNodeId, Node, type NodeId, nodeIdFromPublicKey } from '../node.js'

/** EIP-778 limits. */
export const enrConstants = {
  /** Largest encoded record. */
  maxSize: 300,
  /** The only identity scheme defined. */
  scheme: 'v4',
} as const

/** What a local record is built from. */
export interface EnrInit {
  privateKey: Uint8Array
  seq: bigint
  /** IPv4 or IPv6 address; goes to `ip` or `ip6`. */
  ip?: string
  udp?: number
  tcp?: number
  /**
   * A second, IPv6 address beside an IPv4 `ip` (a dual-stack node): goes to `ip6`, with `udp6`
   * and `tcp6` only where they differ from `udp` and `tcp` (go-ethereum's LocalNode).
   */
  ip6?: string
  udp6?: number
  tcp6?: number
  /** Further entries (e.g. `eth`), as RLP items. */
  entries?: Record<string, RlpInput>
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * An Ethereum Node Record (EIP-778) with the "v4" identity scheme: immutable, verified on
 * decode, kept in its exact received encoding so it re-encodes byte for byte.
 */
export class Enr {
  readonly seq: bigint
  /** 64-byte r ‖ s signature over keccak256(rlp([seq, k, v, …])). */
  readonly signature: Uint8Array
  /** Key → RLP item, in sorted key order. */
  readonly entries: ReadonlyMap<string, RlpItem>
  readonly #raw: Uint8Array
  #nodeId: NodeId | undefined

  private constructor(
    seq: bigint,
    signature: Uint8Array,
    entries: Map<string, RlpItem>,
    raw: Uint8Array,
  ) {
    this.seq = seq
    this.signature = signature
    this.entries = entries
    this.#raw = raw
  }

  /** Builds and signs a record. */
  static create(init: EnrInit): Enr {
    const entries = new Map<string, RlpInput>(Object.entries(init.entries ?? {}))
    entries.set('id', enrConstants.scheme)
    entries.set('secp256k1', compressNodeId(getCrypto().publicKey(init.privateKey)))
    if (init.ip !== undefined) {
      const ip = ipToBytes(init.ip)
      const v6 = ip.length === 16
      entries.set(v6 ? 'ip6' : 'ip', ip)
      if (init.udp !== undefined) entries.set(v6 ? 'udp6' : 'udp', init.udp)
      if (init.tcp !== undefined) entries.set(v6 ? 'tcp6' : 'tcp', init.tcp)
    } else {
      if (init.udp !== undefined) entries.set('udp', init.udp)
      if (init.tcp !== undefined) entries.set('tcp', init.tcp)
    }
    if (init.ip6 !== undefined) {
      const ip6 = ipToBytes(init.ip6)
      if (ip6.length !== 16) throw new EnrError('ERR_ENR_BAD_ENTRY', `ip6 ${init.ip6} is not IPv6`)
      entries.set('ip6', ip6)
      if (init.udp6 !== undefined && init.udp6 !== init.udp) entries.set('udp6', init.udp6)
      if (init.tcp6 !== undefined && init.tcp6 !== init.tcp) entries.set('tcp6', init.tcp6)
    }
    const keys = [...entries.keys()].sort(compareKeys)
    const content: RlpInput[] = [init.seq]
    for (const k of keys) content.push(k, entries.get(k))
    const crypto = getCrypto()
    const sig = crypto.sign(crypto.keccak256(encodeRlp(content)), init.privateKey).slice(0, 64)
    return Enr.decode(encodeRlp([sig, ...content]))
  }

  /** Decodes and verifies an RLP-encoded record. Throws EnrError / RlpError. */
  static decode(bytes: Uint8Array): Enr {
    if (bytes.length > enrConstants.maxSize) {
      throw new EnrError('ERR_ENR_TOO_BIG', `record of ${bytes.length} bytes exceeds 300`)
    }
    const l = asList(decodeRlp(bytes), 'enr')
    if (l.length < 2 || l.length % 2 !== 0) {
      throw new EnrError('ERR_ENR_BAD_ENTRY', 'record must be [sig, seq, k, v, …]')
    }
    const signature = asBytes(l[0], 'enr signature')
    const seq = asBigUint(l[1], 'enr seq', 8)
    const entries = new Map<string, RlpItem>()
    let prev: string | undefined
    for (let i = 2; i < l.length; i += 2) {
      const k = asString(l[i], 'enr key')
      if (prev !== undefined && compareKeys(prev, k) >= 0) {
        throw new EnrError(
          'ERR_ENR_UNSORTED_KEYS',
          `record keys not sorted/unique at ${JSON.stringify(k)}`,
        )
      }
      prev = k
      entries.set(k, l[i + 1]!)
    }
    const enr = new Enr(seq, signature, entries, bytes.slice())
    enr.#verify(l)
    return enr
  }

  /** Parses the text form `enr:<base64url>`. */
  static fromText(text: string): Enr {
    if (!text.startsWith('enr:'))
      throw new EnrError('ERR_ENR_BAD_TEXT', 'record text must start with enr:')
    const body = text.slice(4)
    if (!/^[A-Za-z0-9_-]*$/.test(body))
      throw new EnrError('ERR_ENR_BAD_TEXT', 'record text is not base64url')
    return Enr.decode(new Uint8Array(Buffer.from(body, 'base64url')))
  }

  #verify(l: RlpItem[]): void {
    const id = this.entries.get('id')
    if (!(id instanceof Uint8Array) || new TextDecoder().decode(id) !== enrConstants.scheme) {
      throw new EnrError('ERR_ENR_BAD_SCHEME', 'record identity scheme is not v4')
    }
    const key = this.entries.get('secp256k1')
    if (!(key instanceof Uint8Array) || key.length !== 33) {
      throw new EnrError('ERR_ENR_BAD_ENTRY', 'record secp256k1 entry must be 33 bytes')
    }
    if (this.signature.length !== 64) {
      throw new EnrError('ERR_ENR_BAD_SIGNATURE', 'record signature must be 64 bytes')
    }
    let ok = false
    try {
      this.#nodeId = nodeIdFromPublicKey(key)
      const digest = getCrypto().keccak256(encodeRlp(l.slice(1) as RlpInput))
      ok = verifySignature(digest, this.signature, key)
    } catch {
      ok = false
    }
    if (!ok) throw new EnrError('ERR_ENR_BAD_SIGNATURE', 'record signature does not verify')
  }

  /** The exact encoding (as received, or as signed). */
  encode(): Uint8Array {
    return this.#raw.slice()
  }

  /** `enr:` + unpadded base64url of the encoding. */
  toText(): string {
    return `enr:${Buffer.from(this.#raw).toString('base64url')}`
  }

  /** The 64-byte v4 node ID (uncompressed public key). */
  get nodeId(): NodeId {
    // Set by #verify, which every constructor path runs.
    return this.#nodeId ?? new Uint8Array(64)
  }

  #bytes(key: string): Uint8Array | undefined {
    const v = this.entries.get(key)
    return v instanceof Uint8Array ? v : undefined
  }

  #port(key: string): number | undefined {
    const v = this.#bytes(key)
    if (v === undefined) return undefined
    try {
      const p = asUint(v, key)
      return p <= 0xffff ? p : undefined
    } catch {
      return undefined
    }
  }

  #ip(key: string, len: number): string | undefined {
    const v = this.#bytes(key)
    return v?.length === len ? bytesToIp(v) : undefined
  }

  get ip(): string | undefined {
    return this.#ip('ip', 4)
  }
  get ip6(): string | undefined {
    return this.#ip('ip6', 16)
  }
  get udp(): number | undefined {
    return this.#port('udp')
  }
  get tcp(): number | undefined {
    return this.#port('tcp')
  }
  get udp6(): number | undefined {
    return this.#port('udp6')
  }
  get tcp6(): number | undefined {
    return this.#port('tcp6')
  }

  /**
   * The record's node with its IPv4 endpoint (else IPv6); undefined when it has no IP or UDP
   * port. A missing TCP port reads as 0 (not listening), as go-ethereum does.
   */
  toNode(): Node | undefined {
    const v4 = this.ip !== undefined && this.udp !== undefined
    const ip = v4 ? this.ip : this.ip6
    const udp = v4 ? this.udp : (this.udp6 ?? this.udp)
    const tcp = v4 ? this.tcp : (this.tcp6 ?? this.tcp)
    if (ip === undefined || udp === undefined) return undefined
    return new Node({ id: this.nodeId, ip, udp, tcp: tcp ?? 0 })
  }
}
