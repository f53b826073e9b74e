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
export * as dns from './dns/index.js'
export {
  DnsClient,
  type DnsClientOptions,
  dnsDefaults,
  dnsNodes,
  parseLink as parseEnrtreeUrl,
  systemTxtResolver,
  type TxtResolver,
} from './dns/index.js'
export { formatEnode, parseEnode } from './enode.js'
export { Enr, type EnrInit, enrConstants } from './enr/index.js'
export {
  DiscoverError,
  type DiscoverErrorCode,
  DnsError,
  EnodeError,
  EnrError,
  HostError,
  NodeDBError,
  PacketError,
  type V5ErrorCode,
  V5PacketError,
} from './errors.js'
export {
  type EnodeHost,
  type HostResolver,
  hostDefaults,
  isEnodeHost,
  parseEnodeTarget,
  type ResolveHostOptions,
  resolveEnodeHost,
  systemHostResolver,
} from './host.js'
export {
  generatePrivateKey,
  isValidPrivateKey,
  loadNodeKey,
  loadOrCreateNodeKey,
  parseNodeKey,
  saveNodeKey,
} from './key.js'
export {
  bootnodes,
  dnsTrees,
  isPublicNetwork,
  type PublicNetwork,
  publicNetworks,
} from './networks.js'
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
  type AddResult,
  type BondState,
  type IpLimitOptions,
  Kademlia,
  type KademliaOptions,
  type LookupOptions,
  type MaintenanceOptions,
  Table,
  type TableEvents,
  type TableNode,
  type TableOptions,
  tableDefaults,
} from './table/index.js'
export type { DiscoveryTransport, NodeSource } from './transport.js'
export {
  type AdmissionOptions,
  type AdmissionStats,
  admissionDefaults,
  type DatagramTransport,
  type DropReason,
  IpTracker,
  type IpTrackerOptions,
  ipTrackerDefaults,
  ntpDefaults,
  type PacketName,
  parseBootnode,
  type SntpServer,
  sntpOffset,
  UDPv4,
  type UDPv4Events,
  type UDPv4Options,
  type UDPv4Stats,
  type UdpAddress,
  type UdpEndpoint,
  udpv4Defaults,
} from './udp/index.js'
export {
  DiscoveryV5,
  type DiscoveryV5Options,
  type LocalRecord,
  SharedDiscovery,
  type SharedDiscoveryOptions,
  sharedSocketDefaults,
  type TalkHandler,
  UDPv5,
  type UDPv5Events,
  type UDPv5Options,
  type UDPv5Stats,
  UnhandledQueue,
  udpv5Defaults,
} from './v5/index.js'
export * as v5wire from './v5wire/index.js'
export * as wire from './wire/index.js'
