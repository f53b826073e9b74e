import { RlpError } from '../errors.js'
import { decodeItem, encodeItem, type RlpInput, type RlpItem } from './codec.js'

/*
 * The copying RLP codec: `decodeRlp` turns an encoding into items whose byte strings are copies
 * (a decoded packet never keeps its datagram alive), `encodeRlp` writes any item tree in one
 * buffer. The `as*` readers check each field's shape. raw.ts is the other path, for messages
 * whose parts are relayed or stored as their encodings.
 */

export type { RlpInput, RlpItem }

/**
 * Decodes exactly one RLP item; trailing bytes are an error unless `allowTrailing`. Strict
 * (canonical lengths, no prefixed single bytes); byte strings are copies.
 */
export function decodeRlp(input: Uint8Array, allowTrailing = false): RlpItem {
  let decoded: { item: RlpItem; end: number }
  try {
    decoded = decodeItem(input)
  } catch (cause) {
    throw new RlpError((cause as Error).message, { cause })
  }
  if (!allowTrailing && decoded.end !== input.length) {
    throw new RlpError('invalid RLP: remainder must be zero')
  }
  return decoded.item
}

/**
 * Encodes bytes, strings (UTF-8; hex when 0x-prefixed), non-negative integers (number or
 * bigint; 0 is the empty string), null/undefined (the empty string) and lists of them.
 */
export function encodeRlp(item: RlpInput): Uint8Array {
  return encodeRlpAfter(0, item)
}

/** `encodeRlp` behind `reserve` zero bytes, in one buffer (packets put their header there). */
export function encodeRlpAfter(reserve: number, item: RlpInput): Uint8Array {
  try {
    return encodeItem(item, reserve)
  } catch (cause) {
    throw new RlpError((cause as Error).message, { cause })
  }
}

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
  if (b.length <= 6) return BigInt(smallUint(b))
  let v = 0n
  for (const byte of b) v = (v << 8n) | BigInt(byte)
  return v
}

/** Big-endian bytes (at most 6) as a number, without BigInt steps. */
function smallUint(b: Uint8Array): number {
  let v = 0
  for (let i = 0; i < b.length; i++) v = v * 256 + b[i]!
  return v
}

/** A canonical RLP unsigned integer that fits in a JavaScript number (≤ 2^53 − 1). */
export function asUint(item: RlpItem | undefined, what: string): number {
  // Up to 6 bytes (2^48) is exact as a number: ports, versions, sizes take this path.
  if (item instanceof Uint8Array && item.length <= 6 && (item.length === 0 || item[0] !== 0)) {
    return smallUint(item)
  }
  const v = asBigUint(item, what, 7)
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RlpError(`${what}: integer too large`)
  return Number(v)
}

/** A UTF-8 string. */
export function asString(item: RlpItem | undefined, what: string): string {
  return new TextDecoder().decode(asBytes(item, what))
}
