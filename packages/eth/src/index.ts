export type { Backend, BlobPool, ChainHead, ChainReader, TxPool } from './backend.js'
export {
  type ChainConfig,
  chains,
  type DevnetOptions,
  defineDevnet,
  devnet,
  emptyRootHash,
  emptyUncleHash,
  hoodi,
  mainnet,
  sepolia,
} from './chain.js'
export {
  type ChainFileBlock,
  checkBody,
  importChainFile,
  maxChainFileBlocks,
  readChainFile,
} from './chain-file.js'
export {
  ethEnrEntry,
  ethEnrKey,
  ethNodeFilter,
  forkIdFromEnrEntry,
  startEnrUpdater,
} from './enr-entry.js'
export { EthError, type EthErrorCode } from './errors.js'
export {
  decodeForkId,
  encodeForkId,
  type ForkFilter,
  type ForkId,
  type ForkIdRejection,
  forkFilter,
  forkIdAt,
  gatherForks,
  timestampThreshold,
} from './forkid.js'
export {
  chainFromGenesis,
  type ForkBlockField,
  type ForkTimeField,
  forkBlockFields,
  forkTimeFields,
  type Genesis,
  genesisHeader,
  parseGenesis,
} from './genesis.js'
export { type EthEvents, EthHandler, type EthHandlerOptions } from './handler.js'
export {
  checkStatus,
  type HandshakeOptions,
  handshake,
  localStatus,
  statusTimeout,
} from './handshake.js'
export {
  type BlockHeader,
  decodeHeader,
  encodeHeader,
  headerHash,
  headerNumber,
} from './header.js'
export type { KnownCache } from './known-cache.js'
export {
  type MemoryBackend,
  MemoryChain,
  type MemoryChainOptions,
  MemoryTxPool,
  memoryBackend,
  memoryChainDefaults,
} from './memory-backend.js'
export {
  type BlockAccessLists,
  decodeBlockAccessLists,
  decodeGetBlockAccessLists,
  encodeBlockAccessLists,
  encodeGetBlockAccessLists,
  type GetBlockAccessLists,
  unavailableAccessList,
} from './messages/access-lists.js'
export {
  decodeNewBlock,
  decodeNewBlockHashes,
  decodeNewPooledTransactionHashes,
  encodeNewBlock,
  encodeNewBlockHashes,
  encodeNewPooledTransactionHashes,
  type NewBlock,
  type NewBlockHashes,
  type NewPooledTransactionHashes,
} from './messages/announce.js'
export {
  type BlockBodies,
  decodeBlockBodies,
  decodeGetBlockBodies,
  encodeBlockBodies,
  encodeGetBlockBodies,
  type GetBlockBodies,
} from './messages/bodies.js'
export {
  type Cells,
  cellSize,
  cellsPerBlob,
  custodyBitmapSize,
  custodyCount,
  decodeCells,
  decodeGetCells,
  emptyCustody,
  encodeCells,
  encodeGetCells,
  type GetCells,
} from './messages/cells.js'
export {
  type EthVersion,
  ethVersions,
  isValidCode,
  MsgCode,
  maxMessageSize,
  maxRequestItems,
  maxTxItems,
  protocolLengths,
  softResponseLimit,
  supportedEthVersions,
} from './messages/codes.js'
export {
  type BlockHeaders,
  decodeBlockHeaders,
  decodeGetBlockHeaders,
  encodeBlockHeaders,
  encodeGetBlockHeaders,
  type GetBlockHeaders,
} from './messages/headers.js'
export {
  decodeGetReceipts,
  decodeReceipts,
  encodeGetReceipts,
  encodeReceipts,
  type GetReceipts,
  type Receipts,
  receiptForm,
} from './messages/receipts.js'
export type { HashesRequest } from './messages/request.js'
export {
  type BlockRange,
  decodeBlockRangeUpdate,
  decodeStatus,
  encodeBlockRangeUpdate,
  encodeStatus,
  type Status,
  type Status68,
  type Status69,
  validateBlockRange,
} from './messages/status.js'
export {
  decodeGetPooledTransactions,
  decodePooledTransactions,
  decodeTransactions,
  encodeGetPooledTransactions,
  encodePooledTransactions,
  encodeTransactions,
  type GetPooledTransactions,
  type PooledTransactions,
  type Transactions,
  txHash,
  txType,
} from './messages/transactions.js'
export { EthPeer, type EthPeerOptions, type PeerHead, peerDefaults } from './peer.js'
export { type ComparePeers, PeerSet } from './peer-set.js'
export { ethProtocols } from './protocol.js'
export {
  devnetBlockInterval,
  type EthNetwork,
  EthService,
  type EthServiceOptions,
  ethServiceDefaults,
} from './service.js'
export { allocStateRoot, type GenesisAccount } from './state-root.js'
export { deriveSha, trieRoot } from './trie-root.js'
export { txArriveTimeout } from './tx-fetcher.js'
