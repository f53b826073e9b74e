import { fromHex } from './bytes.js'

/**
 * What the eth handshake needs to know of a chain (go-ethereum's `params.ChainConfig` reduced to
 * the fork schedule): the network id, the genesis hash and time, and every fork activation.
 * Forks at genesis and duplicates are allowed; the fork id ignores them.
 */
export interface ChainConfig {
  readonly name: string
  readonly networkId: bigint
  readonly genesisHash: Uint8Array
  /** Timestamp of the genesis block (time-based forks at or before it are skipped). */
  readonly genesisTime: number
  /** Block numbers of the block-based forks. */
  readonly forkBlocks: readonly number[]
  /** Timestamps of the time-based forks (Shanghai and later). */
  readonly forkTimes: readonly number[]
}

/**
 * Ethereum mainnet, every fork through BPO2 (go-ethereum's `MainnetChainConfig`): block forks
 * Homestead … Gray Glacier, time forks Shanghai … BPO2.
 */
export const mainnet: ChainConfig = {
  name: 'mainnet',
  networkId: 1n,
  genesisHash: fromHex('d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3'),
  genesisTime: 0,
  forkBlocks: [
    1_150_000, // Homestead
    1_920_000, // DAO
    2_463_000, // EIP-150 (Tangerine Whistle)
    2_675_000, // EIP-155 (Spurious Dragon)
    2_675_000, // EIP-158
    4_370_000, // Byzantium
    7_280_000, // Constantinople
    7_280_000, // Petersburg
    9_069_000, // Istanbul
    9_200_000, // Muir Glacier
    12_244_000, // Berlin
    12_965_000, // London
    13_773_000, // Arrow Glacier
    15_050_000, // Gray Glacier
  ],
  forkTimes: [
    1_681_338_455, // Shanghai
    1_710_338_135, // Cancun
    1_746_612_311, // Prague
    1_764_798_551, // Osaka
    1_765_290_071, // BPO1
    1_767_747_671, // BPO2
  ],
}
