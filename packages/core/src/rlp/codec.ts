import RLP from 'rlp'

/**
 * The RLP codec behind `encodeRlp` / `decodeRlp` (rlp.ts): one pass over the input to decode,
 * two passes (sizes, then one output buffer) to encode, no intermediate arrays. It is on the
 * path of every discv4 packet. Errors are plain `Error`s with an `invalid RLP` message; the
 * wrapper turns them into `RlpError`.
 */

/** A decoded RLP item (rlp.ts re-exports it). */
export type RlpItem = Uint8Array | RlpItem[]

/** What the encoder takes (rlp.ts re-exports it). */
export type RlpInput = Uint8Array | string | number | bigint | null | undefined | RlpInput[]

/** Where the item `decodeAt` just read ends (a module cursor: decoding is synchronous). */
let cursor = 0

/**
 * Decodes one item at the start of `input`; returns it and where it ends. Strict as the
 * Ethereum RLP tests require: no single byte below 0x80 behind a prefix, no long form for a
 * short payload, no leading zeros in a length, nothing running past its enclosing list. Byte
 * strings are copies, so a decoded item never keeps the input alive.
 */
export function decodeItem(input: Uint8Array): { item: RlpItem; end: number } {
  if (input.length === 0) throw new Error('invalid RLP: empty input')
  const item = decodeAt(input, 0, input.length)
  return { item, end: cursor }
}

function decodeAt(b: Uint8Array, pos: number, end: number): RlpItem {
  const first = b[pos]!
  if (first <= 0x7f) {
    cursor = pos + 1
    return b.slice(pos, pos + 1)
  }
  if (first <= 0xbf) {
    let start = pos + 1
    let len = first - 0x80
    if (first > 0xb7) {
      const ll = first - 0xb7
      len = readLength(b, start, ll, end)
      if (len <= 55) throw new Error('invalid RLP: expected string length to be greater than 55')
      start += ll
    }
    const stop = start + len
    if (stop > end) throw new Error('invalid RLP: string runs past the end of its input')
    if (len === 1 && b[start]! < 0x80) {
      throw new Error('invalid RLP: single byte < 0x80 must not be prefixed')
    }
    cursor = stop
    return b.slice(start, stop)
  }
  let start = pos + 1
  let len = first - 0xc0
  if (first > 0xf7) {
    const ll = first - 0xf7
    len = readLength(b, start, ll, end)
    if (len < 56) throw new Error('invalid RLP: encoded list too short')
    start += ll
  }
  const stop = start + len
  if (stop > end) throw new Error('invalid RLP: list runs past the end of its input')
  const items: RlpItem[] = []
  for (let p = start; p < stop; p = cursor) items.push(decodeAt(b, p, stop))
  cursor = stop
  return items
}

function readLength(b: Uint8Array, start: number, ll: number, end: number): number {
  if (start + ll > end) throw new Error('invalid RLP: not enough bytes for the length')
  if (b[start] === 0) throw new Error('invalid RLP: extra zeros in the length')
  let v = 0
  for (let i = 0; i < ll; i++) v = v * 256 + b[start + i]!
  return v
}

/**
 * Encodes bytes, strings (UTF-8, or hex when 0x-prefixed, as the `rlp` package reads them),
 * non-negative integers (number or bigint; 0 is the empty string), null/undefined (the empty
 * string) and lists of them. `reserve` zero bytes go in front of the encoding (a header the
 * caller fills in), in the same buffer.
 */
export function encodeItem(item: RlpInput, reserve = 0): Uint8Array {
  const plan: (number | Uint8Array)[] = []
  const out = new Uint8Array(reserve + sizeOf(item, plan))
  planAt = 0
  write(item, out, reserve, plan)
  return out
}

/** Bytes of a non-negative integer without leading zeros (0 for 0). */
function uintLength(v: number): number {
  let n = 0
  for (let x = v; x > 0; x = Math.floor(x / 256)) n++
  return n
}

function bigLength(v: bigint): number {
  let n = 0
  for (let x = v; x > 0n; x >>= 8n) n++
  return n
}

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER)

const headerSize = (len: number) => (len < 56 ? 1 : 1 + uintLength(len))

/** A number as a bigint when it is beyond 2^53 − 1; throws for what is no RLP integer. */
function checkedNumber(v: number): number | bigint {
  if (!Number.isInteger(v) || v < 0) throw new Error(`cannot RLP-encode the number ${v}`)
  return v > Number.MAX_SAFE_INTEGER ? BigInt(v) : v
}

/** Encoded size of `x`; list payload sizes and string encodings go to `plan`, in visit order. */
function sizeOf(x: RlpInput, plan: (number | Uint8Array)[]): number {
  if (x instanceof Uint8Array) {
    return x.length === 1 && x[0]! < 0x80 ? 1 : headerSize(x.length) + x.length
  }
  if (Array.isArray(x)) {
    const at = plan.length
    plan.push(0)
    let n = 0
    for (const e of x) n += sizeOf(e, plan)
    plan[at] = n
    return headerSize(n) + n
  }
  if (x === null || x === undefined) return 1
  if (typeof x === 'number') {
    const v = checkedNumber(x)
    if (typeof v === 'bigint') return sizeOf(v, plan)
    return v > 0 && v < 0x80 ? 1 : 1 + uintLength(v)
  }
  if (typeof x === 'bigint') {
    if (x < 0n) throw new Error('cannot RLP-encode a negative integer')
    // Small values take the number path: BigInt arithmetic allocates at every step.
    if (x <= maxSafe) return sizeOf(Number(x), plan)
    const n = bigLength(x)
    return headerSize(n) + n
  }
  if (typeof x === 'string') {
    const e = RLP.encode(x)
    plan.push(e)
    return e.length
  }
  throw new Error(`cannot RLP-encode a ${typeof x}`)
}

/** Next unread entry of the plan (reset by each `encodeItem`; encoding is synchronous). */
let planAt = 0

function writeHeader(out: Uint8Array, pos: number, len: number, offset: number): number {
  if (len < 56) {
    out[pos] = offset + len
    return pos + 1
  }
  const n = uintLength(len)
  out[pos] = offset + 55 + n
  writeUint(out, pos + 1, len, n)
  return pos + 1 + n
}

function writeUint(out: Uint8Array, pos: number, v: number, n: number): void {
  let x = v
  for (let i = n - 1; i >= 0; i--) {
    out[pos + i] = x % 256
    x = Math.floor(x / 256)
  }
}

function write(x: RlpInput, out: Uint8Array, pos: number, plan: (number | Uint8Array)[]): number {
  if (x instanceof Uint8Array) {
    if (x.length === 1 && x[0]! < 0x80) {
      out[pos] = x[0]!
      return pos + 1
    }
    const p = writeHeader(out, pos, x.length, 0x80)
    out.set(x, p)
    return p + x.length
  }
  if (Array.isArray(x)) {
    let p = writeHeader(out, pos, plan[planAt++] as number, 0xc0)
    for (const e of x) p = write(e, out, p, plan)
    return p
  }
  if (x === null || x === undefined) {
    out[pos] = 0x80
    return pos + 1
  }
  if (typeof x === 'number') {
    const v = checkedNumber(x)
    if (typeof v === 'bigint') return write(v, out, pos, plan)
    if (v > 0 && v < 0x80) {
      out[pos] = v
      return pos + 1
    }
    const n = uintLength(v)
    out[pos] = 0x80 + n
    writeUint(out, pos + 1, v, n)
    return pos + 1 + n
  }
  if (typeof x === 'bigint') {
    if (x <= maxSafe) return write(Number(x), out, pos, plan)
    const n = bigLength(x)
    const p = writeHeader(out, pos, n, 0x80)
    let v = x
    for (let i = n - 1; i >= 0; i--) {
      out[p + i] = Number(v & 0xffn)
      v >>= 8n
    }
    return p + n
  }
  const e = plan[planAt++] as Uint8Array
  out.set(e, pos)
  return pos + e.length
}
