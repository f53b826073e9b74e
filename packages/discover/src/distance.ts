/**
 * Distances in the 256-bit node ID space (keccak256 of node IDs), with go-ethereum's semantics.
 */

/** log2 of a XOR b, i.e. the bit length of a ⊕ b: 0 when equal, 256 when the first bit differs. */
export function logdist(a: Uint8Array, b: Uint8Array): number {
  const n = a.length
  for (let i = 0; i < n; i++) {
    const x = a[i]! ^ b[i]!
    if (x !== 0) return (n - i) * 8 - (Math.clz32(x) - 24)
  }
  return 0
}

/** Compares the distances a ⊕ target and b ⊕ target: −1 if a is closer, 1 if b is closer, 0 if equal. */
export function distcmp(target: Uint8Array, a: Uint8Array, b: Uint8Array): -1 | 0 | 1 {
  const n = target.length
  for (let i = 0; i < n; i++) {
    const da = a[i]! ^ target[i]!
    const db = b[i]! ^ target[i]!
    if (da > db) return 1
    if (da < db) return -1
  }
  return 0
}
