import { toHex } from '@x/core'
import { describe, expect, it } from 'vitest'
import { chains, hoodi, sepolia } from '../src/chain.js'
import { forkFilter, forkIdAt } from '../src/forkid.js'
import { encodeHeader, headerHash } from '../src/header.js'
import { MemoryChain } from '../src/memory-backend.js'
import vectors from './fixtures/forkid-testnets.json' with { type: 'json' }

const hexNum = (h: string) => Number.parseInt(h.replace(/^0x/, ''), 16)

describe.each([
  { chain: sepolia, cases: vectors.sepolia, id: 11_155_111n },
  { chain: hoodi, cases: vectors.hoodi, id: 560_048n },
])('$chain.name', ({ chain, cases, id }) => {
  it('has go-ethereum network id and a genesis header that hashes to the genesis hash', () => {
    expect(chain.networkId).toBe(id)
    expect(chains[chain.name]).toBe(chain)
    const header = chain.genesisHeader
    if (!header) throw new Error('no genesis header')
    expect(toHex(headerHash(encodeHeader(header)))).toBe(toHex(chain.genesisHash))
    expect(header.time).toBe(chain.genesisTime)
    expect(() => new MemoryChain(chain)).not.toThrow()
  })

  it.each(cases)('fork id: $comment', (c) => {
    expect(forkIdAt(chain, c.head, c.time)).toEqual({ hash: hexNum(c.hash), next: BigInt(c.next) })
  })

  it('accepts its own fork id at every vector head', () => {
    for (const c of cases) {
      const accept = forkFilter(chain, () => ({ number: c.head, time: c.time }))
      expect(accept(forkIdAt(chain, c.head, c.time))).toBeUndefined()
    }
  })
})
