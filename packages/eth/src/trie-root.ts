import { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { encodeUint, isList, readBytes } from '@x/core'
import { emptyRootHash } from './chain.js'

/**
 * The root of a Merkle-Patricia trie holding `entries` (key → value), built with a maintained
 * trie implementation (`@ethereumjs/mpt`); keys are used as given (hash them first for a secure
 * trie, as the state trie does).
 */
export async function trieRoot(entries: Iterable<[Uint8Array, Uint8Array]>): Promise<Uint8Array> {
  const trie = new MerklePatriciaTrie()
  let empty = true
  for (const [key, value] of entries) {
    await trie.put(key, value)
    empty = false
  }
  return empty ? emptyRootHash : trie.root()
}

/**
 * go-ethereum's `types.DeriveSha`: the root of the trie keyed by `rlp(index)` whose values are
 * the items' consensus encodings — a list item as it is, a typed transaction (an RLP string on
 * the wire, EIP-2718) as the string's content. Transaction and withdrawal roots of a header.
 */
export function deriveSha(items: readonly Uint8Array[]): Promise<Uint8Array> {
  return trieRoot(
    items.map((item, i) => [encodeUint(i), isList(item) ? item : readBytes(item, 'list item')]),
  )
}
