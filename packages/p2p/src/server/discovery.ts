import { type Clock, type Logger, type Netlist, started } from '@x/core'
import {
  Discovery,
  type DiscoveryOptions,
  type DiscoveryV5,
  type EnodeHost,
  type HostResolver,
  type Node,
  type NodeId,
  openNodeDB,
  parseBootnode,
  parseEnodeTarget,
  SharedDiscovery,
} from '@x/discover'
import type { DiscoveryV4Config, DiscoveryV5Config } from './options.js'

/** What the server hands {@link startDiscoveryV4}. */
export interface DiscoveryV4Start {
  config: DiscoveryV4Config
  privateKey: Uint8Array
  selfId: NodeId
  /** The configured listen address (port 0 = any), or null when the server does not listen. */
  listen: { ip: string; port: number } | null
  /** The bound TCP port, advertised in Pings and our record (0 when not listening). */
  tcpPort: number
  /** The IP to advertise (`externalIp`); default the bound IP (127.0.0.1 for a wildcard). */
  ip: string | undefined
  bootnodes: readonly (Node | EnodeHost)[]
  hostResolver?: HostResolver | undefined
  netRestrict: Netlist | undefined
  clock: Clock
  logger: Logger
  /** Discovery v5 on the same socket; `onV5` receives it once started. */
  v5?: DiscoveryV5Config | undefined
  onV5?: (v5: DiscoveryV5) => void
}

/**
 * go-ethereum's `Server.setupDiscovery`: opens the node database (LevelDB at
 * `config.nodeDatabase`, else in memory) and starts discovery v4 on the listen IP. The UDP port
 * is `config.port`, else the listen port when it is fixed, else any. Closes the database when
 * discovery fails to start (e.g. the UDP port is taken). `start` is `Discovery.start` (a seam
 * for tests).
 */
export async function startDiscoveryV4(
  o: DiscoveryV4Start,
  start: (options: DiscoveryOptions) => Promise<Discovery> = (d) =>
    o.v5 ? startShared(d, o.v5, o.onV5) : started(new Discovery(d)),
): Promise<Discovery> {
  const { config } = o
  const db = await openNodeDB({ path: config.nodeDatabase, selfId: o.selfId, logger: o.logger })
  if (config.nodeDatabase !== undefined) {
    o.logger.info('node database opened', { path: config.nodeDatabase, nodes: db.size })
  }
  const netRestrict = o.netRestrict
  try {
    return await start({
      privateKey: o.privateKey,
      host: o.listen?.ip ?? '0.0.0.0',
      port: config.port ?? (o.listen && o.listen.port !== 0 ? o.tcpPort : 0),
      tcpPort: o.tcpPort,
      ip: o.ip,
      bootnodes: o.bootnodes,
      ...(o.hostResolver && { hostResolver: o.hostResolver }),
      db,
      clock: o.clock,
      logger: o.logger,
      ntp: config.ntp,
      ipLimits: config.ipLimits,
      ...(config.ipTracker && { ipTracker: config.ipTracker }),
      maintenance: config.maintenance,
      ...(netRestrict ? { netrestrict: (ip: string) => netRestrict.contains(ip) } : {}),
    })
  } catch (err) {
    await db.close()
    throw err
  }
}

/** v4 and v5 on one socket: the v4 half is returned, the v5 half handed to `onV5`. */
async function startShared(
  d: DiscoveryOptions,
  v5: DiscoveryV5Config,
  onV5: ((v5: DiscoveryV5) => void) | undefined,
): Promise<Discovery> {
  const shared = new SharedDiscovery({ ...d, v5: { bootnodes: v5.bootnodes ?? [] } })
  try {
    await shared.start()
  } catch (err) {
    await shared.stop()
    throw err
  }
  onV5?.(shared.v5)
  return shared.v4
}

/**
 * Server bootnodes as dial targets: `enr:…` records and `enode://…` URLs are parsed, a URL
 * with a host name stays a name to resolve (throws on bad text).
 */
export function toNodes(bootnodes: readonly (Node | EnodeHost | string)[]): (Node | EnodeHost)[] {
  return bootnodes.map((b) =>
    typeof b !== 'string'
      ? b
      : b.startsWith('enr:')
        ? parseBootnode(b)
        : parseEnodeTarget(b.trim()),
  )
}

/** The record discovery holds for node `id` (from the table, else the node DB), as `enr:…`. */
export function knownEnr(discovery: Discovery, id: NodeId): string | undefined {
  const live = discovery.table.entry(id)?.enr
  if (live) return live.toText()
  const stored = discovery.db.node(id)?.enr
  return stored ? `enr:${Buffer.from(stored).toString('base64url')}` : undefined
}
