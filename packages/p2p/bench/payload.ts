// The messages of the session benchmarks, the same for every implementation: message codes
// borrowed from eth/68 (ethereumjs's ETH accepts only its own codes), and payloads that the
// receiver checks byte for byte. Payload i is a seeded pseudo-random block with i in its first
// four bytes, so a lost, duplicated, reordered or corrupted message is caught. Both processes
// derive the block from the seed; nothing but the seed crosses between them.

/** eth/68 codes the benchmarks use (Transactions carries the bulk data). */
export const benchCodes = {
  /** Receiver → sender: batch k verified (flow control). eth NewBlockHashes. */
  ack: 0x01,
  /** Bulk data. eth Transactions. */
  data: 0x02,
  /** Latency probe; the receiver echoes it. eth GetBlockHeaders. */
  ping: 0x03,
  /** The echo. eth BlockHeaders. */
  pong: 0x04,
} as const

/** A deterministic pseudo-random block (xorshift32): incompressible, as snappy's worst case. */
export function payloadBlock(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size)
  let x = seed | 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/** Writes message index `i` into the block's first four bytes (in place; the block is ≥ 4 B). */
export function stamp(block: Uint8Array, i: number): Uint8Array {
  new DataView(block.buffer, block.byteOffset, 4).setUint32(0, i >>> 0)
  return block
}

export const readIndex = (b: Uint8Array): number =>
  b.length < 4 ? -1 : new DataView(b.buffer, b.byteOffset, 4).getUint32(0)

/** Checks that received payloads are the stamped blocks 0, 1, 2, … in order. */
export class PayloadVerifier {
  readonly #expected: Uint8Array
  #next = 0
  received = 0
  bad = 0

  constructor(size: number, seed: number) {
    this.#expected = payloadBlock(size, seed)
  }

  check(got: Uint8Array): boolean {
    this.received++
    const want = stamp(this.#expected, this.#next++)
    const ok =
      got.length === want.length &&
      Buffer.from(got.buffer, got.byteOffset, got.length).equals(Buffer.from(want.buffer))
    if (!ok) this.bad++
    return ok
  }
}

/** A 4-byte big-endian number (ack payloads). */
export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n >>> 0)
  return b
}
