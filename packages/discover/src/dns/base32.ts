/**
 * RFC 4648 base32 without padding, as EIP-1459 writes tree hashes and link keys
 * (go-ethereum's `base32.StdEncoding.WithPadding(base32.NoPadding)`). Decoding is strict:
 * upper-case alphabet only, no padding, no trailing bits set.
 */
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const values = new Map([...alphabet].map((c, i) => [c, i]))

export function base32Encode(bytes: Uint8Array): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (const b of bytes) {
    buffer = (buffer << 8) | b
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += alphabet[(buffer >>> bits) & 31]
    }
    buffer &= (1 << bits) - 1
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31]
  return out
}

/** The bytes of `text`, or undefined when it is not canonical unpadded base32. */
export function base32Decode(text: string): Uint8Array | undefined {
  // Lengths 1, 3 and 6 mod 8 cannot end a whole byte.
  if ([1, 3, 6].includes(text.length % 8)) return undefined
  const out = new Uint8Array(Math.floor((text.length * 5) / 8))
  let buffer = 0
  let bits = 0
  let n = 0
  for (const c of text) {
    const v = values.get(c)
    if (v === undefined) return undefined
    buffer = ((buffer << 5) | v) & 0xffff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[n++] = (buffer >>> bits) & 0xff
    }
  }
  // Leftover bits must be zero, so each byte string has one encoding.
  if ((buffer & ((1 << bits) - 1)) !== 0) return undefined
  return out
}
