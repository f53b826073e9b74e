import { toHex as hex } from '@x/core'
import { describe, expect, it } from 'vitest'
import { devnet } from '../src/chain.js'
import { EthError } from '../src/errors.js'
import { forkIdAt } from '../src/forkid.js'
import { chainFromGenesis, genesisHeader, parseGenesis } from '../src/genesis.js'

// Vectors from go-ethereum v1.17.10: `geth init` of each genesis, then `geth export` of block 0;
// the headers below are byte for byte what geth wrote (its hash is keccak of them).

/** London and Shanghai at genesis, Cancun later; an alloc with nonce, code, storage (one slot
 * zero, so absent from the trie) and an empty account (kept: genesis deletes nothing). */
const londonShanghai = {
  config: {
    chainId: 1337,
    homesteadBlock: 0,
    eip150Block: 0,
    eip155Block: 0,
    eip158Block: 0,
    byzantiumBlock: 0,
    constantinopleBlock: 0,
    petersburgBlock: 0,
    istanbulBlock: 0,
    berlinBlock: 0,
    londonBlock: 0,
    mergeNetsplitBlock: 0,
    shanghaiTime: 0,
    cancunTime: 60,
    terminalTotalDifficulty: 0,
    ethash: {},
    blobSchedule: {
      cancun: {
        target: 3,
        max: 6,
        baseFeeUpdateFraction: 3338477,
      },
    },
  },
  timestamp: '0x0',
  extraData: '0x',
  gasLimit: '0x1c9c380',
  difficulty: '0x20000',
  baseFeePerGas: '0x7',
  alloc: {
    '0x00000000000000000000000000000000000000aa': {
      balance: '1000000000000000000000',
      nonce: '0x3',
      code: '0x6001600055',
      storage: {
        '0x00': '0x01',
        '0x0000000000000000000000000000000000000000000000000000000000000002':
          '0x0000000000000000000000000000000000000000000000000000000000000000',
        '0x10': '0xff00',
      },
    },
    '0x00000000000000000000000000000000000000bb': {
      balance: '0x0',
    },
  },
}

/** Every fork through Amsterdam at genesis, gas limit 0 (geth's default applies). */
const amsterdam = {
  config: {
    chainId: 7,
    homesteadBlock: 0,
    eip150Block: 0,
    eip155Block: 0,
    eip158Block: 0,
    byzantiumBlock: 0,
    constantinopleBlock: 0,
    petersburgBlock: 0,
    istanbulBlock: 0,
    berlinBlock: 0,
    londonBlock: 0,
    shanghaiTime: 0,
    cancunTime: 0,
    pragueTime: 0,
    osakaTime: 0,
    amsterdamTime: 0,
    terminalTotalDifficulty: 0,
    blobSchedule: {
      cancun: {
        target: 3,
        max: 6,
        baseFeeUpdateFraction: 3338477,
      },
      prague: {
        target: 6,
        max: 9,
        baseFeeUpdateFraction: 5007716,
      },
      osaka: {
        target: 6,
        max: 9,
        baseFeeUpdateFraction: 5007716,
      },
      amsterdam: {
        target: 6,
        max: 9,
        baseFeeUpdateFraction: 5007716,
      },
    },
  },
  timestamp: '0x10',
  gasLimit: '0x0',
  alloc: {
    '0x0000000000000000000000000000000000000001': {
      balance: '0x1',
    },
  },
  difficulty: '0x0',
}

/** @x/eth's devnet as a geth genesis: no fork scheduled, a legacy header. */
const devnetJson = {
  config: { chainId: 4242, terminalTotalDifficulty: Number.MAX_SAFE_INTEGER },
  nonce: '0x0000000000000000',
  timestamp: '0x6553f100',
  extraData: `0x${Buffer.from('x-devp2p devnet').toString('hex')}`,
  gasLimit: '0x1c9c380',
  difficulty: '0x1',
  alloc: {},
}

describe('chainFromGenesis', () => {
  it('hashes a London + Shanghai genesis with storage as geth does', async () => {
    const chain = await chainFromGenesis(londonShanghai)
    expect(hex(chain.genesisHeader!.stateRoot)).toBe(
      '96a5c531b7ac20905efc91f49117e1d9d6b7f2086aa6cf1082c286d32726b6cb',
    )
    expect(hex(chain.genesisHash)).toBe(
      'cb6e1ea7bfe7071263b04101c85d967a3ff4b9c8e5247d07d7d4b18c5bfd387a',
    )
    expect(chain.networkId).toBe(1337n)
    expect(chain.genesisHeader!.baseFee).toBe(7n)
    // Cancun at 60 is the only fork after genesis.
    expect(forkIdAt(chain, 0, 0).next).toBe(60n)
  })

  it('hashes an Amsterdam genesis (blob gas, beacon root, requests and access-list hashes)', async () => {
    const chain = await chainFromGenesis(JSON.stringify(amsterdam))
    expect(hex(chain.genesisHash)).toBe(
      'dd471a471b53c96b1bc93b25f5c710bd8184e321267e01a608308885e05179af',
    )
    const h = chain.genesisHeader!
    expect(h.gasLimit).toBe(4_712_388)
    expect(h.baseFee).toBe(1_000_000_000n)
    expect(h.extraFields).toHaveLength(7)
    expect(forkIdAt(chain, 0, 16).next).toBe(0n)
  })

  it('gives our devnet for the devnet genesis (no London: a legacy header)', async () => {
    const chain = await chainFromGenesis(devnetJson, 'devnet')
    expect(hex(chain.genesisHash)).toBe(hex(devnet.genesisHash))
    expect(chain.genesisHeader!.baseFee).toBeUndefined()
    expect(forkIdAt(chain, 0, 0)).toEqual(forkIdAt(devnet, 0, 0))
  })

  it('takes every fork field of the schedule, by block and by time', () => {
    const g = parseGenesis({
      config: { chainId: '0x10', daoForkBlock: 5, mergeNetsplitBlock: '0x9', bpo5Time: 99 },
      alloc: {},
    })
    expect(g.chainId).toBe(16n)
    expect(g.forkBlocks).toEqual({ daoForkBlock: 5, mergeNetsplitBlock: 9 })
    expect(g.forkTimes).toEqual({ bpo5Time: 99 })
  })

  it('uses the ethash default difficulty only without difficulty and mix hash', () => {
    const g = parseGenesis({ config: { chainId: 1, ethash: {} }, alloc: {} })
    expect(genesisHeader(g, new Uint8Array(32)).difficulty).toBe(131_072n)
    const clique = parseGenesis({ config: { chainId: 1 }, alloc: {} })
    expect(genesisHeader(clique, new Uint8Array(32)).difficulty).toBe(0n)
  })

  it.each([
    ['not JSON', '{'],
    ['no config', { alloc: {} }],
    ['a bad chain id', { config: { chainId: -1 } }],
    ['a bad address', { config: { chainId: 1 }, alloc: { '0x01': { balance: '1' } } }],
    [
      'a bad balance',
      { config: { chainId: 1 }, alloc: { [`0x${'11'.repeat(20)}`]: { balance: 'x' } } },
    ],
    ['a UBT genesis', { config: { chainId: 1, enableUBTAtGenesis: true } }],
  ])('rejects %s with ERR_INVALID_CHAIN', (_, input) => {
    expect(() => parseGenesis(input as object)).toThrow(EthError)
  })
})
