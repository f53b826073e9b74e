import { createHash } from 'node:crypto'
import { encodeBytes, encodeList, isList, readBytes, readUint, splitList } from '@x/core'
import { EthError, ethDecoder } from './errors.js'

/** EIP-4844's transaction type. */
export const blobTxType = 3
/**
 * Transactions larger than this are announced, never sent in full (go-ethereum's
 * `txMaxBroadcastSize`); blob transactions are always announced.
 */
export const txMaxBroadcastSize = 4096

/** Bytes of a blob (EIP-4844: 4096 field elements of 32 bytes). */
const blobSize = 131_072
/** Bytes of a KZG commitment or proof. */
const kzgSize = 48
/** Cell proofs per blob in a version-1 sidecar (EIP-7594 `CELLS_PER_EXT_BLOB`). */
const cellProofsPerBlob = 128
/** Index of `blob_versioned_hashes` in the EIP-4844 transaction payload. */
const blobHashesField = 10
/** Version byte of a versioned hash of a KZG commitment (EIP-4844 `VERSIONED_HASH_VERSION_KZG`). */
const versionedHashVersionKzg = 0x01

/**
 * A blob transaction split into its consensus form and its sidecar (go-ethereum's
 * `BlobTx.decode`): the network form is `0x03 ‖ rlp([tx, blobs, commitments, proofs])`
 * (sidecar version 0) or `0x03 ‖ rlp([tx, 1, blobs, commitments, cell-proofs])` (version 1,
 * EIP-7594); the consensus form, which is hashed and goes into blocks, is `0x03 ‖ rlp(tx)`.
 */
export interface BlobTxParts {
  /** The RLP list of the transaction's fields. */
  tx: Uint8Array
  sidecar?: {
    version: number
    blobs: Uint8Array[]
    commitments: Uint8Array[]
    proofs: Uint8Array[]
  }
}

/** Splits the envelope `0x03 ‖ rlp(…)` of a blob transaction. */
export const splitBlobTx = ethDecoder((envelope: Uint8Array): BlobTxParts => {
  const body = envelope.subarray(1)
  const f = splitList(body, 'blob transaction')
  const first = f[0]
  if (first === undefined) throw new EthError('ERR_DECODE', 'invalid blob transaction: empty')
  if (!isList(first)) return { tx: body }
  const versioned = f[1] !== undefined && !isList(f[1])
  const version = versioned ? readUint(f[1], 'blob sidecar version') : 0
  const rest = f.slice(versioned ? 2 : 1)
  if (rest.length !== 3)
    throw new EthError('ERR_DECODE', 'invalid blob transaction: sidecar has the wrong shape')
  const [blobs, commitments, proofs] = rest.map((l) =>
    splitList(l as Uint8Array, 'blob sidecar list').map((b) => readBytes(b, 'blob sidecar item')),
  ) as [Uint8Array[], Uint8Array[], Uint8Array[]]
  return { tx: first, sidecar: { version, blobs, commitments, proofs } }
})

/** The envelope of a raw transaction: the RLP list of a legacy one, `type ‖ payload` otherwise. */
export function txEnvelope(raw: Uint8Array): Uint8Array {
  return isList(raw) ? raw : readBytes(raw, 'transaction')
}

/**
 * The consensus form of a transaction's envelope: a blob transaction without its sidecar, any
 * other unchanged. This is what the transaction hash is of.
 */
export function consensusEnvelope(envelope: Uint8Array): Uint8Array {
  if (envelope[0] !== blobTxType) return envelope
  const { tx, sidecar } = splitBlobTx(envelope)
  if (!sidecar) return envelope
  const out = new Uint8Array(1 + tx.length)
  out[0] = blobTxType
  out.set(tx, 1)
  return out
}

/**
 * The size go-ethereum announces and checks (`Transaction.Size`): the length of the envelope in
 * network form (sidecar included).
 */
export function txSize(raw: Uint8Array): number {
  return txEnvelope(raw).length
}

/** A blob transaction as eth/72 serves it: its sidecar without the blobs (they go as cells). */
export function withoutBlobs(raw: Uint8Array): Uint8Array {
  const env = txEnvelope(raw)
  if (env[0] !== blobTxType) return raw
  const { tx, sidecar } = splitBlobTx(env)
  if (!sidecar || sidecar.blobs.length === 0) return raw
  const fields = [tx]
  if (sidecar.version !== 0) fields.push(Uint8Array.of(sidecar.version))
  fields.push(encodeList([]), encodeBlobItems(sidecar.commitments), encodeBlobItems(sidecar.proofs))
  const body = encodeList(fields)
  const out = new Uint8Array(1 + body.length)
  out[0] = blobTxType
  out.set(body, 1)
  return encodeBytes(out)
}

function encodeBlobItems(items: Uint8Array[]): Uint8Array {
  return encodeList(items.map(encodeBytes))
}

/** The versioned hash of a KZG commitment (EIP-4844 `kzg_to_versioned_hash`). */
export function versionedHash(commitment: Uint8Array): Uint8Array {
  const h = new Uint8Array(createHash('sha256').update(commitment).digest())
  h[0] = versionedHashVersionKzg
  return h
}

function reject(message: string): never {
  throw new EthError('ERR_INVALID_BLOB_TX', message)
}

/**
 * Checks a blob transaction delivered in a PooledTransactions reply as far as a networking layer
 * can without KZG (go-ethereum's `handleTransactions` and the pool's sidecar format checks):
 * a sidecar present, of version 0 or 1, with one commitment per versioned hash and each hash the
 * commitment's (version byte 0x01), items of the right sizes, one proof per blob (version 0) or
 * 128 cell proofs per blob (version 1), and the blobs themselves (one per hash) except on eth/72,
 * which delivers none. Throws {@link EthError} `ERR_INVALID_BLOB_TX`.
 */
export function checkBlobTx(envelope: Uint8Array, ethVersion: number): void {
  const { tx, sidecar } = splitBlobTx(envelope)
  if (!sidecar) reject('blob transaction without sidecar')
  const fields = splitList(tx, 'blob transaction fields')
  const raw = fields[blobHashesField]
  if (raw === undefined) reject('blob transaction without versioned hashes')
  const hashes = splitList(raw, 'blob versioned hashes').map((h) => readBytes(h, 'blob hash'))
  if (hashes.length === 0) reject('blob transaction without blobs')
  if (sidecar.version > 1) reject(`unsupported blob sidecar version ${sidecar.version}`)
  if (sidecar.commitments.length !== hashes.length) {
    reject(`${sidecar.commitments.length} commitments for ${hashes.length} blob hashes`)
  }
  for (const [i, c] of sidecar.commitments.entries()) {
    if (c.length !== kzgSize) reject(`commitment ${i} of ${c.length} bytes`)
    const want = versionedHash(c)
    const have = hashes[i] as Uint8Array
    if (have.length !== 32 || !want.every((b, j) => b === have[j])) {
      reject(`blob ${i}: versioned hash does not match its commitment`)
    }
  }
  const blobs = sidecar.blobs.length
  if (ethVersion >= 72) {
    if (blobs !== 0) reject('blob transaction with blob payload on eth/72')
  } else if (blobs !== hashes.length) {
    reject(`${blobs} blobs for ${hashes.length} blob hashes`)
  }
  if (sidecar.blobs.some((b) => b.length !== blobSize)) reject('blob of the wrong size')
  const proofs = sidecar.version === 0 ? hashes.length : hashes.length * cellProofsPerBlob
  if (sidecar.proofs.length !== proofs) {
    reject(
      `${sidecar.proofs.length} proofs for ${hashes.length} blobs (sidecar v${sidecar.version})`,
    )
  }
  if (sidecar.proofs.some((p) => p.length !== kzgSize)) reject('proof of the wrong size')
}

/** What a delivered transaction is, to compare with what was announced of it. */
export interface TxMeta {
  type: number
  /** Its size with blobs (eth/68–71 announce this for a blob transaction). */
  size: number
  /** Its size without the blobs (eth/72 announces this for a blob transaction). */
  sizeWithoutBlobs: number
}

/** The RLP size of `n` blobs omitted from a sidecar (go-ethereum's `blobPayloadSize`). */
function blobPayloadSize(n: number): number {
  return n * (blobSize + 4) + 4
}

/** The type and sizes of a raw transaction as delivered (go-ethereum's `txDeliveryMeta`). */
export function txMeta(raw: Uint8Array): TxMeta {
  const env = txEnvelope(raw)
  const type = isList(raw) ? 0 : (env[0] as number)
  const size = env.length
  if (type !== blobTxType) return { type, size, sizeWithoutBlobs: size }
  const { sidecar } = splitBlobTx(env)
  if (!sidecar) return { type, size, sizeWithoutBlobs: size }
  const omitted = blobPayloadSize(sidecar.commitments.length)
  return sidecar.blobs.length === 0
    ? { type, size: size + omitted, sizeWithoutBlobs: size }
    : { type, size, sizeWithoutBlobs: size - omitted }
}
