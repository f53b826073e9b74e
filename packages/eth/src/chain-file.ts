import { encodeList, equalBytes, readFixed, splitList, splitStream, toHex } from '@x/core'
import type { ChainReader } from './backend.js'
import { EthError } from './errors.js'
import { decodeHeader, headerHash } from './header.js'
import { deriveSha } from './trie-root.js'

/** One block of a chain file, split into its raw parts. */
export interface ChainFileBlock {
  number: number
  hash: Uint8Array
  header: Uint8Array
  /** The eth wire body `[transactions, uncles, withdrawals?]`. */
  body: Uint8Array
  /** The whole block `[header, transactions, uncles, withdrawals?]` as in the file. */
  raw: Uint8Array
}

/** Most blocks one chain file may hold (the in-memory backend keeps 65 536). */
export const maxChainFileBlocks = 1 << 20

function bad(number: number | string, why: string): EthError {
  return new EthError('ERR_INVALID_CHAIN', `chain file: block ${number}: ${why}`)
}

/**
 * Reads a chain file (go-ethereum's `geth export` format: an RLP stream of blocks
 * `[header, txs, uncles, withdrawals?]`) and checks it is a header chain on top of `parent`:
 * each block numbered one above the one before and naming its hash as parent hash (go-ethereum's
 * `HeaderChain.ValidateHeaderChain` linkage). Blocks at or below `parent` are skipped when they
 * are ours (a file exported from genesis); throws `ERR_INVALID_CHAIN` on anything else.
 */
export function readChainFile(
  data: Uint8Array,
  parent: { number: number; hash: Uint8Array },
): ChainFileBlock[] {
  let raws: Uint8Array[]
  try {
    raws = splitStream(data, 'chain file', maxChainFileBlocks)
  } catch (cause) {
    throw new EthError('ERR_INVALID_CHAIN', `chain file: ${(cause as Error).message}`, { cause })
  }
  const blocks: ChainFileBlock[] = []
  let prev = parent
  for (const [i, raw] of raws.entries()) {
    let parts: Uint8Array[]
    let header: ReturnType<typeof decodeHeader>
    try {
      parts = splitList(raw, 'block')
      header = decodeHeader(parts[0] ?? new Uint8Array(0))
    } catch (cause) {
      throw new EthError(
        'ERR_INVALID_CHAIN',
        `chain file: item ${i}: ${(cause as Error).message}`,
        {
          cause,
        },
      )
    }
    const [rawHeader, ...rest] = parts as [Uint8Array, ...Uint8Array[]]
    const hash = headerHash(rawHeader)
    if (header.number <= parent.number && blocks.length === 0) {
      if (header.number === parent.number && !equalBytes(hash, parent.hash)) {
        throw bad(header.number, `hash ${toHex(hash)} is not ours (${toHex(parent.hash)})`)
      }
      continue
    }
    if (header.number !== prev.number + 1) {
      throw bad(header.number, `does not follow block ${prev.number}`)
    }
    if (!equalBytes(header.parentHash, prev.hash)) {
      throw bad(
        header.number,
        `parent hash ${toHex(header.parentHash)} is not block ${prev.number}'s hash ${toHex(prev.hash)}`,
      )
    }
    if (rest.length < 2 || rest.length > 3) throw bad(header.number, 'expected 2 or 3 body parts')
    blocks.push({ number: header.number, hash, header: rawHeader, body: encodeList(rest), raw })
    prev = { number: header.number, hash }
  }
  return blocks
}

/**
 * Checks a block's body against its header (go-ethereum's `BlockValidator.ValidateBody`, the
 * parts that need no state): the uncle hash, the transaction root, and the withdrawals root —
 * present exactly when the header has one (EIP-4895).
 */
export async function checkBody(block: ChainFileBlock): Promise<void> {
  const header = decodeHeader(block.header)
  const [txs, uncles, withdrawals] = splitList(block.body, 'body') as [
    Uint8Array,
    Uint8Array,
    Uint8Array | undefined,
  ]
  if (!equalBytes(headerHash(uncles), header.uncleHash))
    throw bad(block.number, 'uncle hash mismatch')
  if (!equalBytes(await deriveSha(splitList(txs, 'transactions')), header.txRoot)) {
    throw bad(block.number, 'transaction root mismatch')
  }
  const withdrawalsRoot = header.extraFields?.[0]
  if ((withdrawalsRoot === undefined) !== (withdrawals === undefined)) {
    throw bad(block.number, 'withdrawals present in only one of header and body')
  }
  if (withdrawalsRoot !== undefined && withdrawals !== undefined) {
    const root = await deriveSha(splitList(withdrawals, 'withdrawals'))
    if (!equalBytes(root, readFixed(withdrawalsRoot, 32, 'withdrawals root'))) {
      throw bad(block.number, 'withdrawals root mismatch')
    }
  }
}

/**
 * Imports a chain file into `chain` (`geth import`): reads it on top of the current head, checks
 * every body against its header, then inserts the blocks in order. Resolves with the number of
 * blocks imported; throws `ERR_INVALID_CHAIN` (and imports nothing) if any check fails.
 */
export async function importChainFile(
  chain: Required<Pick<ChainReader, 'insertBlock'>> & Pick<ChainReader, 'head'>,
  data: Uint8Array,
): Promise<number> {
  const head = chain.head()
  const blocks = readChainFile(data, head)
  for (const block of blocks) await checkBody(block)
  for (const block of blocks) {
    if (!chain.insertBlock(block.raw, 0n)) throw bad(block.number, 'not accepted by the chain')
  }
  return blocks.length
}
