import type { Clock, Logger } from '@x/core'
import type { NodeDB } from '../db/types.js'
import type { Node } from '../node.js'
import type { DiscoveryTransport } from '../transport.js'
import type { Table } from './table.js'
import type { NodeVerifier } from './verifier.js'

/** What lookups and the maintenance loops work with: the table, the wire, the DB, the clock. */
export interface TableContext {
  table: Table
  transport: DiscoveryTransport
  db: NodeDB
  clock: Clock
  logger: Logger
  /** Pings newly seen nodes and adds those that answer. */
  verifier: NodeVerifier
  /** Fallback nodes when the table and the DB know nobody. */
  bootnodes: readonly Node[]
}
