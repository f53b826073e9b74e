import { encodeBytes, encodeList, encodeUint, fromHex, getCrypto } from '@x/core'
import { EthError } from './errors.js'
import { trieRoot } from './trie-root.js'

/** One account of a genesis `alloc` (go-ethereum's `types.Account`), values parsed. */
export interface GenesisAccount {
  balance: bigint
  nonce: bigint
  code: Uint8Array
  /** Slot (32 bytes) → value (32 bytes). */
  storage: ReadonlyMap<string, Uint8Array>
}

/** keccak256 of the empty string: the code hash of an account without code. */
const emptyCodeHash = fromHex('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470')

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0
  while (i < b.length && b[i] === 0) i++
  return b.subarray(i)
}

/** The storage root: slot keccak(key) → rlp(value without leading zeros); zero values are absent. */
async function storageRoot(storage: ReadonlyMap<string, Uint8Array>): Promise<Uint8Array> {
  const { keccak256 } = getCrypto()
  const entries: [Uint8Array, Uint8Array][] = []
  for (const [slot, value] of storage) {
    const v = stripZeros(value)
    if (v.length > 0) entries.push([keccak256(fromHex(slot)), encodeBytes(v)])
  }
  return trieRoot(entries)
}

/**
 * The state root of a genesis allocation (go-ethereum's `hashAlloc`): the secure trie of
 * keccak(address) → rlp([nonce, balance, storageRoot, codeHash]) (the yellow paper's account).
 * Every listed account is kept, even an empty one (genesis commits without EIP-158 deletion).
 */
export async function allocStateRoot(
  alloc: ReadonlyMap<string, GenesisAccount>,
): Promise<Uint8Array> {
  const { keccak256 } = getCrypto()
  const entries: [Uint8Array, Uint8Array][] = []
  for (const [address, account] of alloc) {
    const addr = fromHex(address)
    if (addr.length !== 20) {
      throw new EthError('ERR_INVALID_CHAIN', `genesis alloc: invalid address ${address}`)
    }
    const value = encodeList([
      encodeUint(account.nonce),
      encodeUint(account.balance),
      encodeBytes(await storageRoot(account.storage)),
      encodeBytes(account.code.length > 0 ? keccak256(account.code) : emptyCodeHash),
    ])
    entries.push([keccak256(addr), value])
  }
  return trieRoot(entries)
}
