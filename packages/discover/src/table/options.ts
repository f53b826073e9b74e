/**
 * go-ethereum's table constants (`p2p/discover/table.go`: `bucketSize`, `alpha`,
 * `tableIPLimit`, …), with units in the names.
 */
export const tableDefaults = {
  /** Kademlia concurrency factor: FindNode queries in flight per lookup. */
  alpha: 3,
  /** Entries per bucket, and nodes per FindNode answer and lookup result. */
  bucketSize: 16,
  /** Replacement candidates kept per bucket. */
  maxReplacements: 10,
  /** Number of buckets: distances 240‥256 (≤ 240 share bucket 0). */
  nBuckets: 17,
  /** Log distances ≤ this + 1 share bucket 0 (go-ethereum's bucketMinDistance). */
  bucketMinDistance: 239,
  /** Nodes from one /24 per bucket. */
  bucketIpLimit: 2,
  bucketSubnetBits: 24,
  /** Nodes from one /24 in the whole table. */
  tableIpLimit: 10,
  tableSubnetBits: 24,
  /** Mean revalidation interval; each wait is drawn uniformly from [0.5, 1.5) × this. */
  revalidateIntervalMs: 10_000,
  refreshIntervalMs: 30 * 60_000,
  copyNodesIntervalMs: 30_000,
  /** A node must have been in the table this long before it is copied to the DB as a seed. */
  seedMinTableTimeMs: 5 * 60_000,
  seedCount: 30,
  seedMaxAgeMs: 5 * 24 * 3600_000,
  /** FindNode failures (counted per node and IP in the DB) before a node is dropped. */
  maxFindnodeFailures: 5,
  /** DB records not seen for this long are deleted… */
  dbNodeExpirationMs: 24 * 3600_000,
  /** …by a sweep this often. */
  dbExpireIntervalMs: 3600_000,
  /** Random-target lookups per refresh (after the self lookup). */
  refreshRandomLookups: 3,
} as const

/** IP limit options of the table (go-ethereum's DistinctNetSet per bucket and per table). */
export interface IpLimitOptions {
  /** Nodes from one subnet per bucket (default 2). */
  bucketLimit?: number
  /** Nodes from one subnet in the table (default 10). */
  tableLimit?: number
  /** Subnet prefix length in bits (default 24, for both limits). */
  subnetBits?: number
  /**
   * LAN and loopback addresses are exempt from the limits by default, as in go-ethereum; set
   * false to enforce the limits on them too (tests on 127.x).
   */
  exemptLan?: boolean
}
