import { encodeBytes, encodeUint, fromHex, toHex, uintBytes } from '@x/core'
import { type ChainConfig, emptyRootHash, emptyUncleHash } from './chain.js'
import { EthError } from './errors.js'
import { type BlockHeader, encodeHeader, headerHash } from './header.js'
import { allocStateRoot, type GenesisAccount } from './state-root.js'

/**
 * The block-numbered forks of go-ethereum's `params.ChainConfig`, by their genesis.json names.
 * Every one counts in the fork id (go-ethereum's `forkid.gatherForks` takes each `*Block` field).
 */
export const forkBlockFields = [
  'homesteadBlock',
  'daoForkBlock',
  'eip150Block',
  'eip155Block',
  'eip158Block',
  'byzantiumBlock',
  'constantinopleBlock',
  'petersburgBlock',
  'istanbulBlock',
  'muirGlacierBlock',
  'berlinBlock',
  'londonBlock',
  'arrowGlacierBlock',
  'grayGlacierBlock',
  'mergeNetsplitBlock',
] as const

/** The timestamped forks of `params.ChainConfig` (each `*Time` field), Shanghai and later. */
export const forkTimeFields = [
  'shanghaiTime',
  'cancunTime',
  'pragueTime',
  'osakaTime',
  'bpo1Time',
  'bpo2Time',
  'bpo3Time',
  'bpo4Time',
  'bpo5Time',
  'amsterdamTime',
  'bogotaTime',
  'ubtTime',
] as const

export type ForkBlockField = (typeof forkBlockFields)[number]
export type ForkTimeField = (typeof forkTimeFields)[number]

/** A geth genesis.json, parsed: the fork schedule and the genesis block's fields. */
export interface Genesis {
  chainId: bigint
  forkBlocks: Partial<Record<ForkBlockField, number>>
  forkTimes: Partial<Record<ForkTimeField, number>>
  /** `config.ethash` present: an ethash chain (its default genesis difficulty differs). */
  ethash: boolean
  nonce: bigint
  timestamp: number
  extraData: Uint8Array
  gasLimit: number
  difficulty?: bigint
  mixHash: Uint8Array
  coinbase: Uint8Array
  number: number
  gasUsed: number
  parentHash: Uint8Array
  baseFee?: bigint
  excessBlobGas?: bigint
  blobGasUsed?: bigint
  slotNumber?: bigint
  alloc: Map<string, GenesisAccount>
}

/** go-ethereum's `params.GenesisGasLimit`, used when genesis.json has none. */
export const genesisGasLimit = 4_712_388
/** go-ethereum's `params.GenesisDifficulty` (an ethash genesis without difficulty or mix hash). */
export const genesisDifficulty = 131_072n
/** go-ethereum's `params.InitialBaseFee` (EIP-1559), when a London genesis names none. */
export const initialBaseFee = 1_000_000_000n
/** sha256 of nothing: the requests hash of a block without requests (EIP-7685). */
const emptyRequestsHash = fromHex(
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
)

function invalid(message: string): EthError {
  return new EthError('ERR_INVALID_CHAIN', `genesis: ${message}`)
}

/** A JSON number or a "0x…"/decimal string (go-ethereum's `math.HexOrDecimal64/256`). */
function bigField(v: unknown, what: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === 'string' && /^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(v)) return BigInt(v)
  throw invalid(`${what} must be an unsigned integer, got ${JSON.stringify(v)}`)
}

function numField(v: unknown, what: string): number {
  const n = bigField(v, what)
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`${what} too large: ${n}`)
  return Number(n)
}

/** Hex bytes; with `length`, shorter values are left-padded (hashes, as go-ethereum's JSON) unless `exact`. */
function bytesField(v: unknown, what: string, length?: number, exact = false): Uint8Array {
  if (typeof v !== 'string') throw invalid(`${what} must be a hex string`)
  let b: Uint8Array
  try {
    b = fromHex(v)
  } catch {
    throw invalid(`${what} is not hex: ${JSON.stringify(v)}`)
  }
  if (length !== undefined && b.length !== length) {
    if (b.length > length || exact) throw invalid(`${what} is not ${length} bytes`)
    const padded = new Uint8Array(length)
    padded.set(b, length - b.length)
    return padded
  }
  return b
}

const zeroHex = (bytes: number) => `0x${'00'.repeat(bytes)}`

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw invalid(`${what} not an object`)
  return v as Record<string, unknown>
}

function parseAccount(v: unknown, address: string): GenesisAccount {
  const a = record(v, `alloc ${address}`)
  const storage = new Map<string, Uint8Array>()
  for (const [slot, value] of Object.entries(record(a.storage ?? {}, 'storage'))) {
    const key = bytesField(slot, `storage slot of ${address}`, 32)
    storage.set(toHex(key), bytesField(value, `storage of ${address}`, 32))
  }
  return {
    balance: a.balance === undefined ? 0n : bigField(a.balance, `balance of ${address}`),
    nonce: a.nonce === undefined ? 0n : bigField(a.nonce, `nonce of ${address}`),
    code: a.code === undefined ? new Uint8Array(0) : bytesField(a.code, `code of ${address}`),
    storage,
  }
}

/** Parses a geth genesis.json (its text or its parsed JSON); throws `ERR_INVALID_CHAIN`. */
export function parseGenesis(input: string | object): Genesis {
  let json: Record<string, unknown>
  try {
    json = record(typeof input === 'string' ? JSON.parse(input) : input, 'genesis')
  } catch (cause) {
    if (cause instanceof EthError) throw cause
    throw new EthError('ERR_INVALID_CHAIN', `genesis: not JSON: ${(cause as Error).message}`)
  }
  const config = record(json.config, 'config')
  if (config.enableUBTAtGenesis === true)
    throw invalid('a binary-trie (UBT) genesis is not supported')
  const forkBlocks: Genesis['forkBlocks'] = {}
  for (const f of forkBlockFields) {
    if (config[f] !== undefined && config[f] !== null) forkBlocks[f] = numField(config[f], f)
  }
  const forkTimes: Genesis['forkTimes'] = {}
  for (const f of forkTimeFields) {
    if (config[f] !== undefined && config[f] !== null) forkTimes[f] = numField(config[f], f)
  }
  const opt = (key: string) =>
    json[key] === undefined || json[key] === null ? undefined : json[key]
  const alloc = new Map<string, GenesisAccount>()
  for (const [address, account] of Object.entries(record(json.alloc ?? {}, 'alloc'))) {
    const key = toHex(bytesField(address, 'alloc address', 20, true))
    alloc.set(key, parseAccount(account, address))
  }
  const g: Genesis = {
    chainId: bigField(config.chainId, 'config.chainId'),
    forkBlocks,
    forkTimes,
    ethash: config.ethash !== undefined && config.ethash !== null,
    nonce: bigField(opt('nonce') ?? 0, 'nonce'),
    timestamp: numField(opt('timestamp') ?? 0, 'timestamp'),
    extraData: bytesField(opt('extraData') ?? '0x', 'extraData'),
    gasLimit: numField(opt('gasLimit') ?? 0, 'gasLimit'),
    mixHash: bytesField(opt('mixHash') ?? zeroHex(32), 'mixHash', 32, true),
    coinbase: bytesField(opt('coinbase') ?? zeroHex(20), 'coinbase', 20, true),
    number: numField(opt('number') ?? 0, 'number'),
    gasUsed: numField(opt('gasUsed') ?? 0, 'gasUsed'),
    parentHash: bytesField(opt('parentHash') ?? zeroHex(32), 'parentHash', 32, true),
    alloc,
  }
  const big = (key: string) => {
    const v = opt(key)
    return v === undefined ? undefined : bigField(v, key)
  }
  const optional = {
    difficulty: big('difficulty'),
    baseFee: big('baseFeePerGas'),
    excessBlobGas: big('excessBlobGas'),
    blobGasUsed: big('blobGasUsed'),
    slotNumber: big('slotNumber'),
  }
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(g, { [k]: v })
  return g
}

/** Whether a block fork is active at `number` (go-ethereum's `isBlockForked`). */
const blockForked = (fork: number | undefined, number: number) =>
  fork !== undefined && fork <= number
/** Whether a time fork is active at `time` (go-ethereum's `isTimestampForked`). */
const timeForked = (fork: number | undefined, time: number) => fork !== undefined && fork <= time

/**
 * The genesis header as go-ethereum's `Genesis.ToBlock` builds it, given the state root of the
 * alloc: base fee from London on (default {@link initialBaseFee}), the empty withdrawals root
 * from Shanghai, blob gas and a zero parent beacon root from Cancun (EIP-4844, EIP-4788), the
 * empty requests hash from Prague (EIP-7685), slot number and empty access-list hash from
 * Amsterdam — each only when that fork is active at the genesis block.
 */
export function genesisHeader(g: Genesis, stateRoot: Uint8Array): BlockHeader {
  const zero32 = new Uint8Array(32)
  let difficulty = g.difficulty
  if (difficulty === undefined) {
    difficulty = g.ethash && g.mixHash.every((b) => b === 0) ? genesisDifficulty : 0n
  }
  const nonce = new Uint8Array(8)
  new DataView(nonce.buffer).setBigUint64(0, g.nonce)
  const london = blockForked(g.forkBlocks.londonBlock, 0)
  const at = (f: ForkTimeField) => london && timeForked(g.forkTimes[f], g.timestamp)
  // The optional fields in header order; a gap before a present field is encoded empty, as
  // go-ethereum's RLP `optional` tag does.
  const optional: (Uint8Array | undefined)[] = [
    undefined, // withdrawals root
    undefined, // blob gas used
    g.excessBlobGas === undefined ? undefined : encodeUint(g.excessBlobGas),
    undefined, // parent beacon root
    undefined, // requests hash
    undefined, // block access list hash
    undefined, // slot number
  ]
  if (at('shanghaiTime')) optional[0] = encodeBytes(emptyRootHash)
  if (at('cancunTime')) {
    optional[1] = encodeUint(g.blobGasUsed ?? 0n)
    optional[2] = encodeUint(g.excessBlobGas ?? 0n)
    optional[3] = encodeBytes(zero32)
  }
  if (at('pragueTime')) optional[4] = encodeBytes(emptyRequestsHash)
  if (at('amsterdamTime')) {
    optional[5] = encodeBytes(emptyUncleHash) // keccak(rlp([])): the empty block access list
    optional[6] = encodeUint(g.slotNumber ?? 0n)
  }
  while (optional.length > 0 && optional[optional.length - 1] === undefined) optional.pop()
  const baseFee = london ? (g.baseFee ?? initialBaseFee) : g.baseFee
  if (baseFee === undefined && optional.length > 0) {
    throw invalid('fields after the base fee without a base fee (London not at genesis)')
  }
  return {
    parentHash: g.parentHash,
    uncleHash: emptyUncleHash,
    coinbase: g.coinbase,
    stateRoot,
    txRoot: emptyRootHash,
    receiptRoot: emptyRootHash,
    bloom: new Uint8Array(256),
    difficulty,
    number: g.number,
    gasLimit: g.gasLimit === 0 ? genesisGasLimit : g.gasLimit,
    gasUsed: g.gasUsed,
    time: g.timestamp,
    extra: g.extraData,
    mixDigest: g.mixHash,
    nonce,
    ...(baseFee !== undefined && { baseFee }),
    ...(optional.length > 0 && {
      extraFields: optional.map((f) => f ?? encodeBytes(uintBytes(0))),
    }),
  }
}

/**
 * The chain of a geth genesis.json: network id = `config.chainId` (as geth's default
 * `--networkid`), the fork schedule by block and by time, and the genesis header and hash as
 * geth computes them (the alloc's state root through a Merkle-Patricia trie).
 */
export async function chainFromGenesis(
  input: string | object | Genesis,
  name = 'genesis',
): Promise<ChainConfig> {
  const g = isGenesis(input) ? input : parseGenesis(input)
  const header = genesisHeader(g, await allocStateRoot(g.alloc))
  return {
    name,
    networkId: g.chainId,
    genesisHash: headerHash(encodeHeader(header)),
    genesisTime: g.timestamp,
    forkBlocks: Object.values(g.forkBlocks),
    forkTimes: Object.values(g.forkTimes),
    genesisHeader: header,
  }
}

function isGenesis(v: unknown): v is Genesis {
  return typeof v === 'object' && v !== null && 'alloc' in v && (v as Genesis).alloc instanceof Map
}
