import { type Cipher, createCipheriv, createDecipheriv, type Decipher } from 'node:crypto'
import { RlpxError } from '../errors.js'
import { constantTimeEqual } from './ecies.js'
import { FrameMac } from './mac.js'
import type { Secrets } from './secrets.js'

/**
 * RLPx framing (rlpx.md "Framing"): `header-ciphertext(16) ‖ header-mac(16) ‖
 * frame-ciphertext(padded to 16) ‖ frame-mac(16)`, AES-256-CTR with aes-secret and a zero IV,
 * one keystream per direction. The header is `frame-size(3) ‖ rlp([0, 0]) ‖ zero padding`;
 * the frame content is `rlp(msg-code) ‖ msg-data`.
 */

/** The largest frame the 3-byte size can announce. */
export const maxFrameSize = 0xffffff
/**
 * Messages are capped at 16 MiB, compressed and decompressed (rlpx.md "Message Snappy
 * Compression"; go-ethereum's `errPlainMessageTooLarge`).
 */
export const maxMessageSize = 16 * 1024 * 1024

const headerData = new Uint8Array([0xc2, 0x80, 0x80]) // rlp([0, 0]): capability-id, context-id
const zeroIv = new Uint8Array(16)

/** rlp(code) of a message code: one byte for 1..127, 0x80 for 0, else a short string. */
export function encodeMsgCode(code: number): Uint8Array {
  if (!Number.isSafeInteger(code) || code < 0) throw new RangeError(`bad message code ${code}`)
  if (code === 0) return new Uint8Array([0x80])
  if (code < 0x80) return new Uint8Array([code])
  const bytes: number[] = []
  for (let v = code; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256)
  return new Uint8Array([0x80 + bytes.length, ...bytes])
}

/** Splits frame content into its message code and data. */
export function decodeMsgCode(content: Uint8Array): { code: number; data: Uint8Array } {
  const b = content[0]
  if (b === undefined) throw new RlpxError('ERR_BAD_FRAME', 'empty frame: no message code')
  // RLP of 0 is 0x80; the byte 0x00 is a non-canonical integer (go-ethereum's ErrCanonInt).
  if (b === 0) throw new RlpxError('ERR_BAD_FRAME', 'non-canonical message code 0x00')
  if (b < 0x80) return { code: b, data: content.subarray(1) }
  const n = b - 0x80
  if (n > 6 || content.length < 1 + n) {
    throw new RlpxError('ERR_BAD_FRAME', 'frame message code is not an RLP integer')
  }
  if (n > 0 && content[1] === 0)
    throw new RlpxError('ERR_BAD_FRAME', 'message code has leading zeros')
  if (n === 1 && content[1]! < 0x80)
    throw new RlpxError('ERR_BAD_FRAME', 'non-canonical message code')
  let code = 0
  for (let i = 1; i <= n; i++) code = code * 256 + content[i]!
  return { code, data: content.subarray(1 + n) }
}

const padded = (n: number) => (n + 15) & ~15

/** rlp(code) of the one-byte codes, made once (read only). */
const smallCodes: readonly Uint8Array[] = Array.from({ length: 0x80 }, (_, c) => encodeMsgCode(c))

/** Encrypts and MACs outgoing frames of one session. */
export class FrameWriter {
  readonly #aes
  readonly #mac: FrameMac

  /** `options.mac`: a `macCipher` shared with the session's reader (default: its own). */
  constructor(
    secrets: Pick<Secrets, 'aesSecret' | 'macSecret' | 'egressMac'>,
    options: { mac?: Cipher } = {},
  ) {
    this.#aes = createCipheriv('aes-256-ctr', secrets.aesSecret, zeroIv)
    this.#mac = new FrameMac(secrets.egressMac, options.mac ?? secrets.macSecret)
  }

  /** One whole frame (header, MACs, body) in one buffer, so it goes out in one socket write. */
  encode(code: number, data: Uint8Array): Uint8Array {
    return this.encodeContent(smallCodes[code] ?? encodeMsgCode(code), data)
  }

  /** A frame whose content is `prefix ‖ data` as given (tests send malformed codes with it). */
  encodeContent(codeBytes: Uint8Array, data: Uint8Array): Uint8Array {
    const size = codeBytes.length + data.length
    if (size > maxFrameSize) {
      throw new RlpxError('ERR_FRAME_TOO_LARGE', `frame of ${size} bytes exceeds ${maxFrameSize}`)
    }
    const bodySize = padded(size)
    // Header and body are consecutive in the keystream: one AES call encrypts both.
    const plain = Buffer.allocUnsafe(16 + bodySize)
    plain[0] = size >>> 16
    plain[1] = (size >>> 8) & 0xff
    plain[2] = size & 0xff
    plain.set(headerData, 3)
    plain.fill(0, 3 + headerData.length, 16)
    plain.set(codeBytes, 16)
    plain.set(data, 16 + codeBytes.length)
    plain.fill(0, 16 + size)
    const ct = this.#aes.update(plain)
    const out = Buffer.allocUnsafe(32 + bodySize + 16)
    out.set(ct.subarray(0, 16), 0)
    out.set(this.#mac.header(ct.subarray(0, 16)), 16)
    out.set(ct.subarray(16), 32)
    out.set(this.#mac.frame(ct.subarray(16)), 32 + bodySize)
    return out
  }
}

/** Decrypts and checks incoming frames of one session; fed the socket's byte stream. */
export class FrameReader {
  readonly #aes: Decipher
  readonly #mac: FrameMac
  readonly #maxFrame: number
  #chunks: Uint8Array[] = []
  #buffered = 0
  /** Frame size read from a verified header whose body has not fully arrived. */
  #pendingSize = -1

  /** `options.mac`: a `macCipher` shared with the session's writer (default: its own). */
  constructor(
    secrets: Pick<Secrets, 'aesSecret' | 'macSecret' | 'ingressMac'>,
    options: { maxFrameSize?: number; mac?: Cipher } = {},
  ) {
    this.#aes = createDecipheriv('aes-256-ctr', secrets.aesSecret, zeroIv)
    this.#mac = new FrameMac(secrets.ingressMac, options.mac ?? secrets.macSecret)
    this.#maxFrame = Math.min(options.maxFrameSize ?? maxFrameSize, maxFrameSize)
  }

  /** Bytes received and not yet part of a returned frame. */
  get buffered(): number {
    return this.#buffered
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    this.#chunks.push(chunk)
    this.#buffered += chunk.length
  }

  /**
   * The next frame's content (`rlp(code) ‖ data`), or undefined until enough bytes arrived.
   * A MAC mismatch or an oversized frame throws: the stream is then unusable.
   */
  next(): Uint8Array | undefined {
    if (this.#pendingSize < 0) {
      if (this.#buffered < 32) return undefined
      const head = this.#take(32)
      const expected = this.#mac.header(head.subarray(0, 16))
      if (!constantTimeEqual(expected, head.subarray(16, 32))) {
        throw new RlpxError('ERR_BAD_MAC', 'bad header MAC')
      }
      const h = this.#aes.update(head.subarray(0, 16))
      const size = (h[0]! << 16) | (h[1]! << 8) | h[2]!
      if (size > this.#maxFrame) {
        throw new RlpxError(
          'ERR_FRAME_TOO_LARGE',
          `frame of ${size} bytes exceeds ${this.#maxFrame}`,
        )
      }
      this.#pendingSize = size
    }
    const bodySize = padded(this.#pendingSize)
    if (this.#buffered < bodySize + 16) return undefined
    const body = this.#take(bodySize + 16)
    const expected = this.#mac.frame(body.subarray(0, bodySize))
    if (!constantTimeEqual(expected, body.subarray(bodySize))) {
      throw new RlpxError('ERR_BAD_MAC', 'bad frame MAC')
    }
    const plain = this.#aes.update(body.subarray(0, bodySize))
    const size = this.#pendingSize
    this.#pendingSize = -1
    return new Uint8Array(plain.buffer, plain.byteOffset, size)
  }

  /** The first `n` buffered bytes: a view when one chunk holds them, else one copy of just n. */
  #take(n: number): Uint8Array {
    const first = this.#chunks[0]!
    let out: Uint8Array
    if (first.length >= n) {
      out = first.subarray(0, n)
      if (first.length === n) this.#chunks.shift()
      else this.#chunks[0] = first.subarray(n)
    } else {
      out = new Uint8Array(n)
      let at = 0
      while (at < n) {
        const c = this.#chunks[0]!
        const k = Math.min(c.length, n - at)
        out.set(c.subarray(0, k), at)
        at += k
        if (k === c.length) this.#chunks.shift()
        else this.#chunks[0] = c.subarray(k)
      }
    }
    this.#buffered -= n
    return out
  }
}
