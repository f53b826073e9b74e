import { CoreError } from './errors.js'

/** Whether two byte strings hold the same bytes (a plain loop: no callback per byte). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Lower-case hex of `bytes`, without 0x (as noble's `bytesToHex`), through Node's native
 * encoder: the string comes out flat, so using it as a map key costs no rope flattening. Node
 * IDs become map keys on every packet, which makes this a hot path.
 */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

const hexDigits = /^[0-9a-fA-F]*$/

/**
 * The bytes of a hex string, with or without 0x. Throws `ERR_INVALID_HEX` on an odd length or
 * a non-hex digit (Node's decoder alone would stop silently at the first bad digit).
 */
export function fromHex(hex: string): Uint8Array {
  const h = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex
  if (h.length % 2 !== 0 || !hexDigits.test(h)) {
    const shown = hex.length > 80 ? `${hex.slice(0, 80)}…` : hex
    throw new CoreError('ERR_INVALID_HEX', `invalid hex: ${JSON.stringify(shown)}`)
  }
  const out = new Uint8Array(h.length / 2)
  Buffer.from(out.buffer).write(h, 'hex')
  return out
}

/** The bytes of `parts` one after the other, in one new buffer. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0
  for (const p of parts) total += p.length
  const out = new Uint8Array(total)
  let pos = 0
  for (const p of parts) {
    out.set(p, pos)
    pos += p.length
  }
  return out
}
