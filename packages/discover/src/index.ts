export { type Clock, sleep, systemClock, type TimerHandle } from './clock.js'
export {
  type CryptoBackend,
  createFastCrypto,
  type FastCryptoOptions,
  getCrypto,
  type Keccak,
  nobleCrypto,
  setCrypto,
  useFastCrypto,
} from './crypto/index.js'
export {
  dbSchema,
  type EndpointState,
  LevelNodeDB,
  type LevelNodeDBOptions,
  type LevelNodeDBStats,
  MemoryNodeDB,
  type MemoryNodeDBOptions,
  memoryNodeDBDefaults,
  type NodeDB,
  type NodeDBEntry,
  type OpenNodeDBOptions,
  openNodeDB,
} from './db/index.js'
export { Discovery, type DiscoveryOptions, type DiscoveryStats } from './discovery.js'
export { distcmp, logdist } from './distance.js'
export { formatEnode, parseEnode } from './enode.js'
export { Enr, type EnrInit, enrConstants } from './enr/index.js'
export {
  DiscoverError,
  type DiscoverErrorCode,
  EnodeError,
  EnrError,
  NodeDBError,
  PacketError,
  TimeoutError,
} from './errors.js'
export { type ListenerOptions, TypedEventTarget, type TypedListener } from './events.js'
export { bytesToIp, ipToBytes, isIpv6, isValidPort, normalizeIp } from './ip.js'
export {
  generatePrivateKey,
  isValidPrivateKey,
  loadNodeKey,
  loadOrCreateNodeKey,
  parseNodeKey,
  saveNodeKey,
} from './key.js'
export { type LogFields, type Logger, noopLogger } from './logger.js'
export {
  compressNodeId,
  isValidNodeId,
  Node,
  type NodeId,
  type NodeInit,
  nodeIdFromPrivateKey,
  nodeIdFromPublicKey,
  nodeIdHash,
  parseNodeId,
} from './node.js'
export {
  asBigUint,
  asBytes,
  asFixedBytes,
  asList,
  asString,
  asUint,
  decodeRlp,
  encodeRlp,
  RlpError,
  type RlpInput,
  type RlpItem,
} from './rlp.js'
export {
  type AddResult,
  Bucket,
  bucketIndexOf,
  copyLiveNodes,
  DistinctNetSet,
  type IpLimitOptions,
  iteratorDefaults,
  Kademlia,
  type KademliaOptions,
  type LookupOptions,
  loadSeeds,
  lookup,
  lookupDefaults,
  type MaintenanceOptions,
  NodesByDistance,
  NodeVerifier,
  randomNodes,
  randomTarget,
  refresh,
  resolve,
  revalidate,
  Table,
  type TableContext,
  type TableEvents,
  TableMaintenance,
  type TableNode,
  type TableOptions,
  tableDefaults,
  verifierDefaults,
} from './table/index.js'
export type { DiscoveryTransport, NodeSource } from './transport.js'
export {
  type BootstrapResult,
  bindUdp,
  bootstrap,
  checkRelayIp,
  type DatagramTransport,
  isLan,
  isLoopback,
  isSpecialNetwork,
  ntpDefaults,
  parseBootnode,
  type SntpServer,
  sntpOffset,
  UDPv4,
  type UDPv4Events,
  type UDPv4Options,
  type UDPv4Stats,
  type UdpAddress,
  udpv4Defaults,
} from './udp/index.js'
export * as wire from './wire/index.js'
