export { bytesEqual, fromHex, toHex } from './bytes.js'
export {
  type ChainConfig,
  chains,
  devnet,
  emptyRootHash,
  emptyUncleHash,
  mainnet,
} from './chain.js'
export { crc32, crc32Update } from './crc32.js'
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
export * from './messages/index.js'
export { EthPeer, type EthPeerOptions, type PeerHead, peerDefaults } from './peer.js'
export { PeerSet } from './peer-set.js'
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
