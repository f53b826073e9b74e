import { encodeRlp, fromHex } from '@x/core'
import { type BlockHeader, encodeHeader, headerHash } from './header.js'

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
  /** The genesis header, when known: an in-memory chain starts from it. */
  readonly genesisHeader?: BlockHeader
}

const zero32 = new Uint8Array(32)
/** keccak256(rlp([])): the uncle hash of a block without uncles. */
export const emptyUncleHash = fromHex(
  '1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347',
)
/** The root of an empty Merkle-Patricia trie (no transactions, no receipts). */
export const emptyRootHash = fromHex(
  '56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421',
)

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
  genesisHeader: {
    parentHash: zero32,
    uncleHash: emptyUncleHash,
    coinbase: new Uint8Array(20),
    stateRoot: fromHex('d7f8974fb5ac78d9ac099b9ad5018bedc2ce0a72dad1827a1709da30580f0544'),
    txRoot: emptyRootHash,
    receiptRoot: emptyRootHash,
    bloom: new Uint8Array(256),
    difficulty: 17_179_869_184n,
    number: 0,
    gasLimit: 5000,
    gasUsed: 0,
    time: 0,
    extra: fromHex('11bbe8db4e347b4e8c937c1c8370e4b5ed33adb3db69cbdb7a38e1e50b1b82fa'),
    mixDigest: zero32,
    nonce: fromHex('0000000000000042'),
  },
}

/**
 * The Sepolia test network (go-ethereum's `SepoliaChainConfig`, params/chainspecs/sepolia.json):
 * every block fork at genesis but the merge netsplit, time forks Shanghai … Amsterdam.
 */
export const sepolia: ChainConfig = {
  name: 'sepolia',
  networkId: 11_155_111n,
  genesisHash: fromHex('25a5cc106eea7138acab33231d7160d69cb777ee0c2c553fcddf5138993e6dd9'),
  genesisTime: 1_633_267_481,
  forkBlocks: [
    1_735_371, // MergeNetsplit
  ],
  forkTimes: [
    1_677_557_088, // Shanghai
    1_706_655_072, // Cancun
    1_741_159_776, // Prague
    1_760_427_360, // Osaka
    1_761_017_184, // BPO1
    1_761_607_008, // BPO2
    1_791_294_816, // Amsterdam
  ],
  // go-ethereum's DefaultSepoliaGenesisBlock; London is active at genesis, so it has a base fee.
  genesisHeader: {
    parentHash: zero32,
    uncleHash: emptyUncleHash,
    coinbase: new Uint8Array(20),
    stateRoot: fromHex('5eb6e371a698b8d68f665192350ffcecbbbf322916f4b51bd79bb6887da3f494'),
    txRoot: emptyRootHash,
    receiptRoot: emptyRootHash,
    bloom: new Uint8Array(256),
    difficulty: 0x20000n,
    number: 0,
    gasLimit: 30_000_000,
    gasUsed: 0,
    time: 1_633_267_481,
    extra: new TextEncoder().encode('Sepolia, Athens, Attica, Greece!'),
    mixDigest: zero32,
    nonce: new Uint8Array(8),
    baseFee: 1_000_000_000n,
  },
}

/**
 * The Hoodi test network (go-ethereum's `HoodiChainConfig`, params/chainspecs/hoodi.json):
 * everything through Cancun at genesis, time forks Prague … BPO2.
 */
export const hoodi: ChainConfig = {
  name: 'hoodi',
  networkId: 560_048n,
  genesisHash: fromHex('bbe312868b376a3001692a646dd2d7d1e4406380dfd86b98aa8a34d1557c971b'),
  genesisTime: 1_742_212_800,
  forkBlocks: [],
  forkTimes: [
    0, // Shanghai (at genesis)
    0, // Cancun (at genesis)
    1_742_999_832, // Prague
    1_761_677_592, // Osaka
    1_762_365_720, // BPO1
    1_762_955_544, // BPO2
  ],
  // go-ethereum's DefaultHoodiGenesisBlock: a Cancun header (withdrawals root, blob gas used,
  // excess blob gas, parent beacon root after the base fee).
  genesisHeader: {
    parentHash: zero32,
    uncleHash: emptyUncleHash,
    coinbase: new Uint8Array(20),
    stateRoot: fromHex('da87d7f5f91c51508791bbcbd4aa5baf04917830b86985eeb9ad3d5bfb657576'),
    txRoot: emptyRootHash,
    receiptRoot: emptyRootHash,
    bloom: new Uint8Array(256),
    difficulty: 1n,
    number: 0,
    gasLimit: 0x2255100,
    gasUsed: 0,
    time: 1_742_212_800,
    extra: new Uint8Array(0),
    mixDigest: zero32,
    nonce: fromHex('0000000000001234'),
    baseFee: 1_000_000_000n,
    extraFields: [encodeRlp(emptyRootHash), encodeRlp(0), encodeRlp(0), encodeRlp(zero32)],
  },
}

/** The genesis header of {@link devnet}: deterministic, difficulty 1 per block. */
const devnetGenesis: BlockHeader = {
  parentHash: zero32,
  uncleHash: emptyUncleHash,
  coinbase: new Uint8Array(20),
  stateRoot: emptyRootHash,
  txRoot: emptyRootHash,
  receiptRoot: emptyRootHash,
  bloom: new Uint8Array(256),
  difficulty: 1n,
  number: 0,
  gasLimit: 30_000_000,
  gasUsed: 0,
  time: 1_700_000_000,
  extra: new TextEncoder().encode('x-devp2p devnet'),
  mixDigest: zero32,
  nonce: new Uint8Array(8),
}

/**
 * A private development network for demos and tests: network id 4242, the genesis above, every
 * fork active at genesis (so its fork id is the bare genesis checksum, next 0).
 */
export const devnet: ChainConfig = {
  name: 'devnet',
  networkId: 4242n,
  genesisHash: fromHex('ad0f2f858c20910bd560b738434ba65e1279d9bbe339b0a4cd22d4a90e59646b'),
  genesisTime: devnetGenesis.time,
  forkBlocks: [],
  forkTimes: [],
  genesisHeader: devnetGenesis,
}

export interface DevnetOptions {
  /** Network id of the Status message (choose one no public network uses). */
  networkId: bigint | number
  /** Default `devnet-<networkId>`. */
  name?: string
  /** Genesis timestamp (seconds), default that of {@link devnet}. */
  genesisTime?: number
  /** Genesis extra data (≤ 32 bytes): a different value gives a different genesis hash. */
  extra?: string | Uint8Array
  /** Genesis gas limit, default 30 000 000. */
  gasLimit?: number
}

/**
 * A private network of your own: the {@link devnet} genesis with your network id, timestamp
 * and extra data (so its genesis hash, and thus its fork id, are its own), every fork at genesis.
 * Nodes peer only when they use the same options.
 */
export function defineDevnet(options: DevnetOptions): ChainConfig {
  const extra =
    typeof options.extra === 'string' ? new TextEncoder().encode(options.extra) : options.extra
  const genesisHeader: BlockHeader = {
    ...devnetGenesis,
    time: options.genesisTime ?? devnetGenesis.time,
    extra: extra ?? devnetGenesis.extra,
    gasLimit: options.gasLimit ?? devnetGenesis.gasLimit,
  }
  const networkId = BigInt(options.networkId)
  return {
    name: options.name ?? `devnet-${networkId}`,
    networkId,
    genesisHash: headerHash(encodeHeader(genesisHeader)),
    genesisTime: genesisHeader.time,
    forkBlocks: [],
    forkTimes: [],
    genesisHeader,
  }
}

/** The built-in chains by name (node-app's genesis choice). */
export const chains: Record<string, ChainConfig> = { mainnet, sepolia, hoodi, devnet }
