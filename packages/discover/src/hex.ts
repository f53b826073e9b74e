/**
 * Lower-case hex of `bytes` (as noble's `bytesToHex`), through Node's native encoder: the
 * string comes out flat, so using it as a map key costs no rope flattening. Node IDs are
 * turned into map keys on every packet, which makes this a hot path.
 */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}
