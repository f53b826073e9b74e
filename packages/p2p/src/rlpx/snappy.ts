import { RlpxError } from '../errors.js'

/**
 * The snappy block format (google/snappy `format_description.txt`), as devp2p v5 compresses
 * message data: `varint(uncompressed length) ‖ elements`, each a literal or a copy. The decoder
 * reads the declared length first and refuses it above the caller's limit before allocating;
 * every literal length and copy offset is checked against the input and the output so far.
 */

function bad(message: string): RlpxError {
  return new RlpxError('ERR_SNAPPY', `snappy: ${message}`)
}

/** The declared uncompressed length and the size of its varint. */
export function snappyDecodedLength(input: Uint8Array): { length: number; headerSize: number } {
  let length = 0
  for (let i = 0; i < 5; i++) {
    const b = input[i]
    if (b === undefined) throw bad('truncated length')
    length += (b & 0x7f) * 2 ** (7 * i)
    if (b < 0x80) {
      if (length > 0xffffffff) throw bad('length does not fit 32 bits')
      return { length, headerSize: i + 1 }
    }
  }
  throw bad('length varint longer than 5 bytes')
}

/**
 * Decompresses `input`; a declared length above `maxLength` is an `ERR_MSG_TOO_LARGE` thrown
 * before any allocation.
 */
export function snappyUncompress(input: Uint8Array, maxLength: number): Uint8Array {
  const { length, headerSize } = snappyDecodedLength(input)
  if (length > maxLength) {
    throw new RlpxError(
      'ERR_MSG_TOO_LARGE',
      `snappy: decompressed length ${length} exceeds ${maxLength}`,
    )
  }
  const out = new Uint8Array(length)
  let op = 0
  let ip = headerSize
  const end = input.length
  while (ip < end) {
    const tag = input[ip++]!
    const kind = tag & 3
    if (kind === 0) {
      let len = tag >>> 2
      if (len >= 60) {
        const n = len - 59
        if (ip + n > end) throw bad('truncated literal length')
        len = 0
        for (let i = 0; i < n; i++) len += input[ip + i]! * 2 ** (8 * i)
        ip += n
      }
      len += 1
      if (ip + len > end) throw bad('literal runs past the input')
      if (op + len > length) throw bad('literal runs past the declared length')
      out.set(input.subarray(ip, ip + len), op)
      ip += len
      op += len
      continue
    }
    let len: number
    let offset: number
    if (kind === 1) {
      if (ip + 1 > end) throw bad('truncated copy')
      len = 4 + ((tag >>> 2) & 7)
      offset = ((tag >>> 5) << 8) | input[ip]!
      ip += 1
    } else if (kind === 2) {
      if (ip + 2 > end) throw bad('truncated copy')
      len = 1 + (tag >>> 2)
      offset = input[ip]! | (input[ip + 1]! << 8)
      ip += 2
    } else {
      if (ip + 4 > end) throw bad('truncated copy')
      len = 1 + (tag >>> 2)
      offset =
        input[ip]! + input[ip + 1]! * 2 ** 8 + input[ip + 2]! * 2 ** 16 + input[ip + 3]! * 2 ** 24
      ip += 4
    }
    if (offset === 0 || offset > op) throw bad(`copy offset ${offset} out of range`)
    if (op + len > length) throw bad('copy runs past the declared length')
    if (offset >= len) {
      out.copyWithin(op, op - offset, op - offset + len)
      op += len
    } else {
      // Overlapping copy: repeats the last `offset` bytes, byte by byte.
      for (let i = 0; i < len; i++, op++) out[op] = out[op - offset]!
    }
  }
  if (op !== length) throw bad(`decoded ${op} bytes, declared ${length}`)
  return out
}

const blockSize = 1 << 16
const hashBits = 14
const table = new Int32Array(1 << hashBits)

function hash4(src: Uint8Array, i: number): number {
  const v = src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)
  return Math.imul(v, 0x1e35a7bd) >>> (32 - hashBits)
}

function varint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80)
    v = Math.floor(v / 128)
  }
  out.push(v)
}

class Sink {
  buf: Uint8Array
  pos = 0
  constructor(size: number) {
    this.buf = new Uint8Array(size)
  }
  literal(src: Uint8Array, from: number, to: number): void {
    const n = to - from
    if (n === 0) return
    const m = n - 1
    if (m < 60) this.buf[this.pos++] = m << 2
    else if (m < 0x100) {
      this.buf[this.pos++] = 60 << 2
      this.buf[this.pos++] = m
    } else if (m < 0x10000) {
      this.buf[this.pos++] = 61 << 2
      this.buf[this.pos++] = m & 0xff
      this.buf[this.pos++] = m >>> 8
    } else {
      this.buf[this.pos++] = 62 << 2
      this.buf[this.pos++] = m & 0xff
      this.buf[this.pos++] = (m >>> 8) & 0xff
      this.buf[this.pos++] = m >>> 16
    }
    this.buf.set(src.subarray(from, to), this.pos)
    this.pos += n
  }
  copy(offset: number, len: number): void {
    while (len > 0) {
      // Copy-2 elements carry 1..64 bytes; keep the last piece ≥ 4 so a 1-byte-offset form
      // would also have been legal (not needed for validity, keeps pieces even).
      const n = len > 64 ? (len - 64 < 4 ? len - 4 : 64) : len
      this.buf[this.pos++] = ((n - 1) << 2) | 2
      this.buf[this.pos++] = offset & 0xff
      this.buf[this.pos++] = offset >>> 8
      len -= n
    }
  }
}

/** Compresses one block (≤ 64 KiB, so every offset fits the 2-byte copy form). */
function compressBlock(src: Uint8Array, start: number, end: number, sink: Sink): void {
  table.fill(-1)
  let lit = start
  let i = start
  let skip = 32
  while (i + 4 <= end) {
    const h = hash4(src, i)
    const cand = table[h]!
    table[h] = i
    if (
      cand >= start &&
      src[cand] === src[i] &&
      src[cand + 1] === src[i + 1] &&
      src[cand + 2] === src[i + 2] &&
      src[cand + 3] === src[i + 3]
    ) {
      sink.literal(src, lit, i)
      let len = 4
      while (i + len < end && src[cand + len] === src[i + len]) len++
      sink.copy(i - cand, len)
      i += len
      lit = i
      skip = 32
    } else {
      // Step further the longer nothing matches: incompressible data passes quickly.
      i += skip++ >>> 5
    }
  }
  sink.literal(src, lit, end)
}

/** Compresses `input` into valid snappy block data any decoder reads. */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const head: number[] = []
  varint(head, input.length)
  // snappy's MaxCompressedLength bound: 32 + n + n / 6.
  const sink = new Sink(head.length + 32 + input.length + Math.ceil(input.length / 6))
  sink.buf.set(head)
  sink.pos = head.length
  for (let start = 0; start < input.length; start += blockSize) {
    compressBlock(input, start, Math.min(start + blockSize, input.length), sink)
  }
  return sink.buf.subarray(0, sink.pos)
}
