import { decompressPublicKey, equalBytes, getCrypto, verifySignature } from '@x/core'
import { Enr } from '../enr/enr.js'
import { DnsError } from '../errors.js'
import { base32Decode, base32Encode } from './base32.js'

/**
 * The EIP-1459 record formats ("Specification: DNS Record Structure"): the root, branches,
 * leaves (`enr:` records and `enrtree://` links), as plain data with pure parse/format
 * functions. No I/O here; the client resolves names and walks the tree.
 */
export const treeConstants = {
  rootPrefix: 'enrtree-root:v1',
  linkPrefix: 'enrtree://',
  branchPrefix: 'enrtree-branch:',
  enrPrefix: 'enr:',
  /** A tree hash names at least 12 bytes of a keccak256 (go-ethereum's `minHashLength`)… */
  minHashBytes: 12,
  /** …and at most the whole 32. Published trees use 16 (go-ethereum's `subdomain`). */
  maxHashBytes: 32,
  /** Bytes of keccak256 a publisher puts in a subdomain. */
  subdomainHashBytes: 16,
  /**
   * Longest TXT record accepted. The largest legal record, an `enr:` leaf of a 300-byte ENR,
   * is 404 characters; a longer one is refused before it is parsed.
   */
  maxRecordLength: 512,
  /** Longest domain name (RFC 1035). */
  maxDomainLength: 253,
} as const

/** `enrtree://<base32 compressed key>@<domain>`: a tree and the key that signs its root. */
export interface LinkEntry {
  readonly kind: 'link'
  /** `<key>@<domain>`, the URL without its scheme (a tree's identity). */
  readonly id: string
  readonly domain: string
  /** The 33-byte compressed secp256k1 key. */
  readonly publicKey: Uint8Array
}

/** `enrtree-root:v1 e=<enr-root> l=<link-root> seq=<n> sig=<signature>`. */
export interface RootEntry {
  readonly kind: 'root'
  readonly eroot: string
  readonly lroot: string
  readonly seq: number
  /** 65 bytes r ‖ s ‖ v, base64url in the record. */
  readonly signature: Uint8Array
}

/** `enrtree-branch:<h1>,<h2>,…`: the hashes of child records. */
export interface BranchEntry {
  readonly kind: 'branch'
  readonly children: readonly string[]
}

/** `enr:<base64 record>`: a node. */
export interface EnrEntry {
  readonly kind: 'enr'
  readonly enr: Enr
}

/** Any record below the root. */
export type TreeEntry = LinkEntry | BranchEntry | EnrEntry

const domainLabel = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/
const base64url = /^[A-Za-z0-9_-]*$/

function bad(code: 'ERR_DNS_BAD_URL' | 'ERR_DNS_BAD_ROOT' | 'ERR_DNS_BAD_ENTRY', msg: string) {
  return new DnsError(code, msg)
}

/** True if `s` is a tree hash: 12 to 32 bytes in canonical unpadded base32. */
export function isValidHash(s: string): boolean {
  const b = base32Decode(s)
  return (
    b !== undefined &&
    b.length >= treeConstants.minHashBytes &&
    b.length <= treeConstants.maxHashBytes
  )
}

/** The subdomain a publisher gives a record: base32 of the first 16 bytes of keccak256(text). */
export function subdomain(text: string): string {
  const digest = getCrypto().keccak256(new TextEncoder().encode(text))
  return base32Encode(digest.subarray(0, treeConstants.subdomainHashBytes))
}

/**
 * True if `text` is the record named by `hash`: the hash is a prefix of keccak256(text), as
 * go-ethereum's `doResolveEntry` checks it.
 */
export function matchesHash(text: string, hash: string): boolean {
  const want = base32Decode(hash)
  if (!want) return false
  const digest = getCrypto().keccak256(new TextEncoder().encode(text))
  return equalBytes(digest.subarray(0, want.length), want)
}

/** Parses `enrtree://<key>@<domain>`; throws DnsError `ERR_DNS_BAD_URL`. */
export function parseLink(url: string): LinkEntry {
  if (!url.startsWith(treeConstants.linkPrefix)) {
    throw bad('ERR_DNS_BAD_URL', 'DNS discovery URL must start with enrtree://')
  }
  const id = url.slice(treeConstants.linkPrefix.length)
  const at = id.indexOf('@')
  if (at < 0) throw bad('ERR_DNS_BAD_URL', 'enrtree URL has no public key (key@domain)')
  const key = base32Decode(id.slice(0, at))
  const domain = id.slice(at + 1)
  if (key?.length !== 33) {
    throw bad('ERR_DNS_BAD_URL', 'enrtree URL key is not a base32 compressed public key')
  }
  try {
    decompressPublicKey(key)
  } catch (cause) {
    throw new DnsError('ERR_DNS_BAD_URL', 'enrtree URL key is not a secp256k1 point', { cause })
  }
  const labels = domain.split('.')
  if (domain.length > treeConstants.maxDomainLength || !labels.every((l) => domainLabel.test(l))) {
    throw bad('ERR_DNS_BAD_URL', `enrtree URL domain ${JSON.stringify(domain)} is not a DNS name`)
  }
  return { kind: 'link', id, domain, publicKey: key }
}

/** `enrtree://<key>@<domain>` for a 33-byte compressed key. */
export function formatLink(publicKey: Uint8Array, domain: string): string {
  return `${treeConstants.linkPrefix}${base32Encode(publicKey)}@${domain}`
}

const rootPattern = /^enrtree-root:v1 e=([A-Z2-7]+) l=([A-Z2-7]+) seq=([0-9]{1,15}) sig=(\S+)$/

/** Parses a root record (without checking its signature); throws DnsError `ERR_DNS_BAD_ROOT`. */
export function parseRoot(text: string): RootEntry {
  const m = rootPattern.exec(text)
  if (!m) throw bad('ERR_DNS_BAD_ROOT', 'root record is not enrtree-root:v1 e=… l=… seq=… sig=…')
  const [, eroot, lroot, seq, sig] = m as unknown as [string, string, string, string, string]
  if (!isValidHash(eroot) || !isValidHash(lroot)) {
    throw bad('ERR_DNS_BAD_ROOT', 'root record names an invalid subtree hash')
  }
  const signature = base64url.test(sig) ? Buffer.from(sig, 'base64url') : undefined
  if (signature?.length !== 65) {
    throw bad('ERR_DNS_BAD_ROOT', 'root signature is not 65 bytes of base64url')
  }
  return { kind: 'root', eroot, lroot, seq: Number(seq), signature: new Uint8Array(signature) }
}

/** The signed part of a root record: everything before ` sig=`. */
export function rootContent(root: Pick<RootEntry, 'eroot' | 'lroot' | 'seq'>): string {
  return `${treeConstants.rootPrefix} e=${root.eroot} l=${root.lroot} seq=${root.seq}`
}

export function formatRoot(root: RootEntry): string {
  return `${rootContent(root)} sig=${Buffer.from(root.signature).toString('base64url')}`
}

/**
 * EIP-1459: the root's `sig` is a secp256k1 signature over keccak256 of the record's content
 * up to ` sig=`, by the key of the link. Checks r ‖ s (the recovery byte is not needed).
 */
export function verifyRoot(root: RootEntry, link: LinkEntry): boolean {
  const digest = getCrypto().keccak256(new TextEncoder().encode(rootContent(root)))
  return verifySignature(digest, root.signature.subarray(0, 64), link.publicKey)
}

/** Signs a root with the tree's private key (publishing, and test trees). */
export function signRoot(
  root: Pick<RootEntry, 'eroot' | 'lroot' | 'seq'>,
  privateKey: Uint8Array,
): RootEntry {
  const c = getCrypto()
  const signature = c.sign(c.keccak256(new TextEncoder().encode(rootContent(root))), privateKey)
  return { kind: 'root', eroot: root.eroot, lroot: root.lroot, seq: root.seq, signature }
}

/**
 * Parses a record below the root. Undefined for a record of an unknown type (other TXT
 * records may share the name; go-ethereum skips them). Throws DnsError `ERR_DNS_BAD_ENTRY`
 * (or `ERR_DNS_BAD_URL` for a bad link) when the record has a known prefix but is malformed.
 */
export function parseEntry(text: string): TreeEntry | undefined {
  if (text.startsWith(treeConstants.linkPrefix)) return parseLink(text)
  if (text.startsWith(treeConstants.branchPrefix)) {
    const body = text.slice(treeConstants.branchPrefix.length)
    if (body === '') return { kind: 'branch', children: [] }
    const children = body.split(',')
    if (!children.every(isValidHash))
      throw bad('ERR_DNS_BAD_ENTRY', 'branch has an invalid child hash')
    return { kind: 'branch', children }
  }
  if (text.startsWith(treeConstants.enrPrefix)) {
    try {
      return { kind: 'enr', enr: Enr.fromText(text) }
    } catch (cause) {
      throw new DnsError('ERR_DNS_BAD_ENTRY', 'invalid node record in tree', { cause })
    }
  }
  return undefined
}

/** The TXT text of a record below the root. */
export function formatEntry(e: TreeEntry): string {
  switch (e.kind) {
    case 'link':
      return `${treeConstants.linkPrefix}${e.id}`
    case 'branch':
      return `${treeConstants.branchPrefix}${e.children.join(',')}`
    case 'enr':
      return e.enr.toText()
  }
}
