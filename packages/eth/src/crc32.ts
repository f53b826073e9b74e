/** The CRC-32 (IEEE 802.3, reflected polynomial 0xedb88320) table, built once. */
const table: Uint32Array = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

/**
 * Continues the CRC-32 `crc` over `data` (Go's `crc32.Update(crc, IEEETable, data)`):
 * `crc32Update(0, a ‖ b) === crc32Update(crc32Update(0, a), b)`.
 */
export function crc32Update(crc: number, data: Uint8Array): number {
  let c = ~crc >>> 0
  for (let i = 0; i < data.length; i++)
    c = (table[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8)
  return ~c >>> 0
}

/** The CRC-32 (IEEE) checksum of `data`, as an unsigned 32-bit number. */
export function crc32(data: Uint8Array): number {
  return crc32Update(0, data)
}
