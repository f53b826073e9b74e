import { decodeRlp, encodeRlp, type RlpInput } from '@x/core'
import { Enr, generatePrivateKey } from '@x/discover'
import { describe, expect, it } from 'vitest'
import { type ChainConfig, defineDevnet, mainnet } from '../src/chain.js'
import {
  ethEnrEntry,
  ethEnrKey,
  ethNodeFilter,
  forkIdFromEnrEntry,
  startEnrUpdater,
} from '../src/enr-entry.js'
import { EthError } from '../src/errors.js'
import { forkIdAt } from '../src/forkid.js'
import { memoryBackend } from '../src/memory-backend.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

const record = (entries: Record<string, RlpInput>) =>
  Enr.decode(Enr.create({ privateKey: generatePrivateKey(), seq: 1n, entries }).encode())

describe('the eth ENR entry (EIP-2124)', () => {
  it('is [[fork-hash, fork-next]]', () => {
    // Mainnet at genesis: FORK_HASH 0xfc64ec04, FORK_NEXT 1150000 (EIP-2124's first vector).
    const id = forkIdAt(mainnet, 0, 0)
    expect(id).toEqual({ hash: 0xfc64ec04, next: 1_150_000n })
    expect(hex(encodeRlp(ethEnrEntry(id)))).toBe('cac984fc64ec0483118c30')
  })

  it('round-trips through a signed record; extra elements are ignored', () => {
    const id = { hash: 0x01020304, next: 1_700_000_000n }
    const record = Enr.create({
      privateKey: generatePrivateKey(),
      seq: 1n,
      ip: '127.0.0.1',
      udp: 30303,
      tcp: 30303,
      entries: { [ethEnrKey]: ethEnrEntry(id) },
    })
    const decoded = Enr.decode(record.encode())
    expect(forkIdFromEnrEntry(decoded.entries.get(ethEnrKey))).toEqual(id)
    const withRest = [...(ethEnrEntry(id) as RlpInput[]), new Uint8Array([7])]
    const again = Enr.decode(
      Enr.create({
        privateKey: generatePrivateKey(),
        seq: 1n,
        entries: { [ethEnrKey]: withRest },
      }).encode(),
    )
    expect(forkIdFromEnrEntry(again.entries.get(ethEnrKey))).toEqual(id)
  })

  it('rejects an entry that is not a list of a fork id', () => {
    expect(() => forkIdFromEnrEntry(new Uint8Array([1]))).toThrow(EthError)
    expect(() => forkIdFromEnrEntry([])).toThrow(EthError)
    expect(() => forkIdFromEnrEntry([[new Uint8Array(3), new Uint8Array()]])).toThrow(EthError)
  })
})

describe('startEnrUpdater (go-ethereum StartENRUpdater)', () => {
  it('sets the fork id at our head now, and again only when a new head passes a fork', () => {
    const base = defineDevnet({ networkId: 77 })
    const chain: ChainConfig = { ...base, forkBlocks: [2] }
    const backend = memoryBackend(chain, { blockTime: 12 })
    const sets: RlpInput[] = []
    const stop = startEnrUpdater({ chain, backend }, (e) => sets.push(e[ethEnrKey]!))
    expect(sets).toEqual([ethEnrEntry(forkIdAt(chain, 0, 0))])
    expect(forkIdAt(chain, 0, 0).next).toBe(2n)

    backend.chain.mine() // block 1: same fork id, the record is not re-signed
    expect(sets).toHaveLength(1)
    backend.chain.mine() // block 2: the fork passed
    expect(sets).toHaveLength(2)
    expect(forkIdFromEnrEntry(decodeRlp(encodeRlp(sets[1]!)))).toEqual(forkIdAt(chain, 2, 0))
    expect(forkIdAt(chain, 2, 0).next).toBe(0n)

    stop()
    backend.chain.mine()
    backend.chain.mine()
    expect(sets).toHaveLength(2)
  })
})

describe('ethNodeFilter (go-ethereum eth.NewNodeFilter)', () => {
  it('passes records whose eth entry our fork filter accepts, and nothing else', () => {
    const chain = defineDevnet({ networkId: 4242 })
    const filter = ethNodeFilter({ chain, backend: memoryBackend(chain) })
    const ours = forkIdAt(chain, 0, 0)
    expect(filter(record({ [ethEnrKey]: ethEnrEntry(ours) }))).toBe(true)
    // Another network's genesis, no entry, a malformed entry: not dialed.
    const other = forkIdAt(defineDevnet({ networkId: 4243, extra: 'other' }), 0, 0)
    expect(filter(record({ [ethEnrKey]: ethEnrEntry(other) }))).toBe(false)
    expect(filter(record({}))).toBe(false)
    expect(filter(record({ [ethEnrKey]: new Uint8Array([1, 2]) }))).toBe(false)
  })
})
