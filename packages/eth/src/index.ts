export type { Backend, ChainHead, ChainReader, TxPool } from './backend.js'
export { bytesEqual, fromHex, toHex } from './bytes.js'
export {
  type ChainConfig,
  chains,
  type DevnetOptions,
  defineDevnet,
  devnet,
  emptyRootHash,
  emptyUncleHash,
  mainnet,
} from './chain.js'
export { crc32, crc32Update } from './crc32.js'
export { ethEnrEntry, ethEnrKey, forkIdFromEnrEntry, startEnrUpdater } from './enr-entry.js'
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
export { KnownCache } from './known-cache.js'
export {
  type MemoryBackend,
  MemoryChain,
  type MemoryChainOptions,
  MemoryTxPool,
  memoryBackend,
  memoryChainDefaults,
} from './memory-backend.js'
export * from './messages/index.js'
export { EthPeer, type EthPeerOptions, type PeerHead, peerDefaults } from './peer.js'
export { PeerSet } from './peer-set.js'
export { ethProtocols } from './protocol.js'
export {
  encodeBytes,
  encodeList,
  encodeUint,
  isList,
  readBigUint,
  readBytes,
  readFixed,
  readUint,
  splitList,
} from './rlp.js'
export { serveByHash, serveHeaders } from './serve.js'
export {
  createEthService,
  devnetBlockInterval,
  type EthNetwork,
  type EthService,
  type EthServiceOptions,
} from './service.js'
export { txArriveTimeout } from './tx-fetcher.js'
