import RLP from 'rlp'
import { DiscoverError } from './errors.js'

/** A decoded RLP item: a byte string or a list of items. */
export type RlpItem = Uint8Array | RlpItem[]

/** An RLP input that does not decode, or decodes to the wrong shape. */
export class RlpError extends DiscoverError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BAD_RLP', message, options)
    this.name = 'RlpError'
  }
}

/** Decodes exactly one RLP item; trailing bytes are an error unless `allowTrailing`. */
export function decodeRlp(input: Uint8Array, allowTrailing = false): RlpItem {
  // The rlp package returns an empty string for empty input; an empty input encodes nothing.
  if (input.length === 0) throw new RlpError('invalid RLP: empty input')
  try {
    if (allowTrailing) {
      const { data } = RLP.decode(input, true)
      return data as RlpItem
    }
    return RLP.decode(input) as RlpItem
  } catch (cause) {
    throw new RlpError(`invalid RLP: ${(cause as Error).message}`, { cause })
  }
}

export function encodeRlp(item: RlpInput): Uint8Array {
  return RLP.encode(item as Parameters<typeof RLP.encode>[0])
}

/** What `encodeRlp` takes: bytes, strings (UTF-8), non-negative integers, and lists of them. */
export type RlpInput = Uint8Array | string | number | bigint | null | undefined | RlpInput[]

/** The item as a list; `what` names it in the error. */
export function asList(item: RlpItem | undefined, what: string): RlpItem[] {
  if (!Array.isArray(item)) throw new RlpError(`${what}: expected a list`)
  return item
}

/** The item as a byte string. */
export function asBytes(item: RlpItem | undefined, what: string): Uint8Array {
  if (!(item instanceof Uint8Array)) throw new RlpError(`${what}: expected a byte string`)
  return item
}

/** The item as a byte string of exactly `length` bytes. */
export function asFixedBytes(item: RlpItem | undefined, length: number, what: string): Uint8Array {
  const b = asBytes(item, what)
  if (b.length !== length) throw new RlpError(`${what}: expected ${length} bytes, got ${b.length}`)
  return b
}

/** A canonical RLP unsigned integer (no leading zeros) as a bigint. */
export function asBigUint(item: RlpItem | undefined, what: string, maxBytes = 32): bigint {
  const b = asBytes(item, what)
  if (b.length > maxBytes) throw new RlpError(`${what}: integer longer than ${maxBytes} bytes`)
  if (b.length > 0 && b[0] === 0) throw new RlpError(`${what}: integer has leading zero bytes`)
  let v = 0n
  for (const byte of b) v = (v << 8n) | BigInt(byte)
  return v
}

/** A canonical RLP unsigned integer that fits in a JavaScript number (≤ 2^53 − 1). */
export function asUint(item: RlpItem | undefined, what: string): number {
  const v = asBigUint(item, what, 7)
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RlpError(`${what}: integer too large`)
  return Number(v)
}

/** A UTF-8 string. */
export function asString(item: RlpItem | undefined, what: string): string {
  return new TextDecoder().decode(asBytes(item, what))
}
