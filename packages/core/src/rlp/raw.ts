import { fromHex } from '../bytes.js'
import { RlpError } from '../errors.js'
import { asBigUint, asUint } from './rlp.js'

/*
 * A strict, allocation-light RLP reader and writer over raw encodings: the raw-slice path. eth
 * messages carry headers, bodies, transactions and receipts that are relayed or served without
 * looking inside, so their codecs keep them as raw encodings (subarrays of the message) instead
 * of decoding and re-encoding them. Errors are `RlpError`s naming `what` was read.
 */

interface Head {
  list: boolean
  /** Start of the payload. */
  start: number
  /** End of the item (payload end). */
  end: number
}

function fail(what: string, why: string): never {
  throw new RlpError(`invalid ${what}: ${why}`)
}

/** Reads the header of the item at `pos`, checking it is canonical and fits before `limit`. */
function readHead(buf: Uint8Array, pos: number, limit: number, what: string): Head {
  if (pos >= limit) fail(what, 'unexpected end of input')
  const b = buf[pos] as number
  if (b < 0x80) return { list: false, start: pos, end: pos + 1 }
  if (b < 0xb8 || (b >= 0xc0 && b < 0xf8)) {
    const list = b >= 0xc0
    const len = b - (list ? 0xc0 : 0x80)
    const end = pos + 1 + len
    if (end > limit) fail(what, 'item overruns its container')
    if (!list && len === 1 && (buf[pos + 1] as number) < 0x80) {
      fail(what, 'single byte below 0x80 must be encoded as itself')
    }
    return { list, start: pos + 1, end }
  }
  const list = b >= 0xf8
  const lenOfLen = b - (list ? 0xf7 : 0xb7)
  if (pos + 1 + lenOfLen > limit) fail(what, 'unexpected end of input')
  if (buf[pos + 1] === 0) fail(what, 'length has leading zero bytes')
  let len = 0
  for (let i = 0; i < lenOfLen; i++) len = len * 256 + (buf[pos + 1 + i] as number)
  if (len < 56) fail(what, 'long form used for a short item')
  const start = pos + 1 + lenOfLen
  if (start + len > limit) fail(what, 'item overruns its container')
  return { list, start, end: start + len }
}

/**
 * The raw encodings of the elements of the list `input`, which must be exactly one RLP list.
 * At most `maxItems` elements (more is an error).
 */
export function splitList(input: Uint8Array, what: string, maxItems = Infinity): Uint8Array[] {
  const head = readHead(input, 0, input.length, what)
  if (!head.list) fail(what, 'expected a list')
  if (head.end !== input.length) fail(what, 'trailing bytes after the list')
  return items(input, head.start, head.end, what, maxItems)
}

/**
 * The raw encodings of the items of an RLP stream: items one after the other with nothing
 * between them (a chain file, as go-ethereum's `rlp.Stream` reads it). At most `maxItems`.
 */
export function splitStream(input: Uint8Array, what: string, maxItems = Infinity): Uint8Array[] {
  return items(input, 0, input.length, what, maxItems)
}

/** The raw items laid end to end in `input[pos..end)`, each checked to fit before `end`. */
function items(
  input: Uint8Array,
  pos: number,
  end: number,
  what: string,
  maxItems: number,
): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let p = pos; p < end; ) {
    if (out.length >= maxItems) {
      throw new RlpError(`invalid ${what}: more than ${maxItems} items`, {
        code: 'ERR_TOO_MANY_ITEMS',
      })
    }
    const item = readHead(input, p, end, what)
    out.push(input.subarray(p, item.end))
    p = item.end
  }
  return out
}

/** True if `raw` is one RLP list. */
export function isList(raw: Uint8Array): boolean {
  return raw.length > 0 && (raw[0] as number) >= 0xc0
}

/** The content of the byte string `raw` (exactly one RLP string item). */
export function readBytes(raw: Uint8Array | undefined, what: string): Uint8Array {
  if (raw === undefined) fail(what, 'missing')
  const head = readHead(raw, 0, raw.length, what)
  if (head.list) fail(what, 'expected a byte string')
  if (head.end !== raw.length) fail(what, 'trailing bytes')
  return raw.subarray(head.start, head.end)
}

/** A byte string of exactly `length` bytes (a hash). */
export function readFixed(raw: Uint8Array | undefined, length: number, what: string): Uint8Array {
  const b = readBytes(raw, what)
  if (b.length !== length) fail(what, `expected ${length} bytes, got ${b.length}`)
  return b
}

/** A canonical unsigned integer of at most `maxBytes` bytes. */
export function readBigUint(raw: Uint8Array | undefined, what: string, maxBytes = 8): bigint {
  return asBigUint(readBytes(raw, what), what, maxBytes)
}

/** A canonical unsigned integer that fits a JavaScript number (≤ 2^53 − 1). */
export function readUint(raw: Uint8Array | undefined, what: string): number {
  return asUint(readBytes(raw, what), what)
}

function header(len: number, offset: number): Uint8Array {
  if (len < 56) return Uint8Array.of(offset + len)
  const bytes: number[] = []
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l % 256)
  return Uint8Array.of(offset + 55 + bytes.length, ...bytes)
}

function concat(head: Uint8Array, parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(head.length + total)
  out.set(head, 0)
  let pos = head.length
  for (const p of parts) {
    out.set(p, pos)
    pos += p.length
  }
  return out
}

/** The RLP list of the already-encoded `items`. */
export function encodeList(items: readonly Uint8Array[]): Uint8Array {
  let total = 0
  for (const i of items) total += i.length
  return concat(header(total, 0xc0), items, total)
}

/** The RLP encoding of the byte string `b`. */
export function encodeBytes(b: Uint8Array): Uint8Array {
  if (b.length === 1 && (b[0] as number) < 0x80) return b.slice()
  return concat(header(b.length, 0x80), [b], b.length)
}

/** The RLP encoding of the unsigned integer `v` (big-endian, no leading zeros). */
export function encodeUint(v: number | bigint): Uint8Array {
  if (typeof v === 'bigint') {
    if (v < 0n) throw new RangeError('negative integer')
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      const h = v.toString(16)
      return encodeBytes(fromHex(h.length % 2 ? `0${h}` : h))
    }
    v = Number(v)
  }
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`not an unsigned integer: ${v}`)
  if (v === 0) return Uint8Array.of(0x80)
  if (v < 0x80) return Uint8Array.of(v)
  let len = 0
  for (let x = v; x > 0; x = Math.floor(x / 256)) len++
  const out = new Uint8Array(1 + len)
  out[0] = 0x80 + len
  for (let i = len, x = v; i > 0; i--, x = Math.floor(x / 256)) out[i] = x % 256
  return out
}

/** The RLP list of the byte strings `hashes`. */
export function encodeHashList(hashes: readonly Uint8Array[]): Uint8Array {
  return encodeList(hashes.map(encodeBytes))
}

/** The minimal big-endian bytes of an unsigned integer (empty for 0), as RLP stores it. */
export function uintBytes(v: number | bigint): Uint8Array {
  if (typeof v === 'bigint') {
    if (v < 0n) throw new RangeError('negative integer')
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      const h = v.toString(16)
      return fromHex(h.length % 2 ? `0${h}` : h)
    }
    v = Number(v)
  }
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`not an unsigned integer: ${v}`)
  let len = 0
  for (let x = v; x > 0; x = Math.floor(x / 256)) len++
  const out = new Uint8Array(len)
  for (let i = len - 1, x = v; i >= 0; i--, x = Math.floor(x / 256)) out[i] = x % 256
  return out
}

function stringHeaderLength(b: Uint8Array): number {
  if (b.length === 1 && (b[0] as number) < 0x80) return 0
  if (b.length < 56) return 1
  let n = 1
  for (let l = b.length; l > 0; l = Math.floor(l / 256)) n++
  return n
}

function writeLength(out: Uint8Array, pos: number, len: number, offset: number): number {
  if (len < 56) {
    out[pos] = offset + len
    return pos + 1
  }
  let lenOfLen = 0
  for (let l = len; l > 0; l = Math.floor(l / 256)) lenOfLen++
  out[pos] = offset + 55 + lenOfLen
  for (let i = lenOfLen, l = len; i > 0; i--, l = Math.floor(l / 256)) out[pos + i] = l % 256
  return pos + 1 + lenOfLen
}

/**
 * The RLP list of the byte strings `strings` followed by the already-encoded `raw` items, written
 * in one pass into one buffer (block headers: fifteen-plus fields, encoded often).
 */
export function encodeStringList(
  strings: readonly Uint8Array[],
  raw: readonly Uint8Array[] = [],
): Uint8Array {
  let payload = 0
  for (const s of strings) payload += stringHeaderLength(s) + s.length
  for (const r of raw) payload += r.length
  const out = new Uint8Array(header(payload, 0xc0).length + payload)
  let pos = writeLength(out, 0, payload, 0xc0)
  for (const s of strings) {
    if (stringHeaderLength(s) !== 0) pos = writeLength(out, pos, s.length, 0x80)
    out.set(s, pos)
    pos += s.length
  }
  for (const r of raw) {
    out.set(r, pos)
    pos += r.length
  }
  return out
}
