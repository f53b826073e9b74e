/** Lower-case hex of `bytes` through Node's native encoder (node IDs as map keys; not exported). */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}
