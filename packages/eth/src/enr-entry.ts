import { asList, type RlpInput, type RlpItem } from '@x/core'
import { EthError } from './errors.js'
import { type ForkId, forkFilter, forkIdAt, forkIdFromRlp, forkIdToRlp } from './forkid.js'
import { MemoryChain } from './memory-backend.js'
import type { EthService } from './service.js'

/**
 * The `eth` entry of a node record (EIP-2124 "Announcement in ENR", go-ethereum's
 * eth/protocols/eth/discovery.go `enrEntry`): `[[fork-hash, fork-next], ...]`, further elements
 * ignored. go-ethereum dials a discovered node only when this entry is present and its fork id
 * passes its fork filter (`eth.NewNodeFilter`).
 */
export const ethEnrKey = 'eth'

/** The `eth` entry's value for fork id `id`. */
export function ethEnrEntry(id: ForkId): RlpInput {
  return [forkIdToRlp(id)]
}

/** The fork id of an `eth` entry's value; throws {@link EthError} `ERR_DECODE`. */
export function forkIdFromEnrEntry(value: RlpItem | undefined): ForkId {
  let list: RlpItem[]
  try {
    list = asList(value, 'eth entry')
  } catch (cause) {
    throw new EthError('ERR_DECODE', 'eth entry: not a list', { cause })
  }
  return forkIdFromRlp(list[0])
}

/**
 * go-ethereum's `eth.StartENRUpdater`: puts the `eth` entry with the fork id at our head into
 * the record now, and again whenever a new head changes it (a fork passed). `set` re-signs the
 * record (discovery's `setEnrEntries`), so it is called only on a change. New heads are those of
 * an in-memory chain; another backend's record keeps the fork id it had at start. Returns the
 * function that stops the updates.
 */
export function startEnrUpdater(
  eth: Pick<EthService, 'chain' | 'backend'>,
  set: (entries: Record<string, RlpInput>) => void,
): () => void {
  let current: ForkId | undefined
  const update = () => {
    const head = eth.backend.chain.head()
    const id = forkIdAt(eth.chain, head.number, head.time)
    if (current && current.hash === id.hash && current.next === id.next) return
    current = id
    set({ [ethEnrKey]: ethEnrEntry(id) })
  }
  update()
  const chain = eth.backend.chain
  return chain instanceof MemoryChain ? chain.onBlock(update) : () => {}
}

/**
 * go-ethereum's `eth.NewNodeFilter`: a record passes when its `eth` entry carries a fork id our
 * fork filter (EIP-2124) accepts at our current head; a record without one, or with a malformed
 * one, does not. Give it to the p2p server as `dialFilter`.
 */
export function ethNodeFilter(
  eth: Pick<EthService, 'chain' | 'backend'>,
): (record: { readonly entries: ReadonlyMap<string, RlpItem> }) => boolean {
  const filter = forkFilter(eth.chain, () => eth.backend.chain.head())
  return (record) => {
    const value = record.entries.get(ethEnrKey)
    if (value === undefined) return false
    try {
      return filter(forkIdFromEnrEntry(value)) === undefined
    } catch {
      return false
    }
  }
}
