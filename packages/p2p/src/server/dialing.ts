import type { Clock, Logger, Netlist } from '@x/core'
import type { Node } from '@x/discover'
import type { DialDiscovery } from '../dial/discovery.js'
import type { DialSource } from '../dial/mix.js'
import type { DialKind, DialTarget } from '../dial/options.js'
import { DialScheduler } from '../dial/scheduler.js'
import type { Transport } from '../message.js'
import { withTimeout } from './conn.js'
import type { LocalIdentity, Network } from './network.js'
import type { ResolvedServerOptions } from './options.js'
import type { ConnInfo } from './setup.js'

/** What the server's dialing needs from the server. */
export interface DialSetup {
  options: ResolvedServerOptions
  local: LocalIdentity
  clock: Clock
  log: Logger
  maxDialPeers: number
  discovery: DialDiscovery | undefined
  bootnodes: readonly DialTarget[]
  netRestrict: Netlist | undefined
  statics: Iterable<DialTarget>
  /** Dial sources of the server's own (discovery v5's random nodes), beside `dialSources`. */
  extraSources?: readonly DialSource[]
  /** The server's connection setup: resolves once the connection is a peer. */
  setup(c: ConnInfo, connect: (serverSignal: AbortSignal) => Promise<Transport>): Promise<void>
  /** Keeps `task` until it settles (the server's `stop()` waits for it). */
  track(task: Promise<unknown>): void
}

/**
 * go-ethereum's `setupDialScheduler`: a {@link DialScheduler} (not started) that knows the static
 * nodes and whose dials connect through the server's network, bounded by `dialTimeout` and by
 * the server's stop, then go through the server's connection setup.
 */
export function setupDialScheduler(d: DialSetup): DialScheduler {
  const o = d.options
  const netRestrict = d.netRestrict
  const dial = (node: Node, kind: DialKind, signal: AbortSignal): Promise<void> => {
    const network = o.network as Network
    const timeout = o.dialTimeout
    const conninfo = {
      inbound: false,
      remoteAddress: { ip: node.ip, port: node.tcp },
      dest: node,
      kind,
    }
    const task = d.setup(conninfo, (serverSignal) =>
      withTimeout(d.clock, timeout, [serverSignal, signal], (s) =>
        network.dial(node, d.local, { signal: s }),
      ),
    )
    d.track(task.catch(() => {}))
    return task
  }
  const dialer = new DialScheduler({
    self: d.local.id,
    maxDialPeers: d.maxDialPeers,
    dial,
    ...(d.discovery ? { discovery: d.discovery } : {}),
    bootnodes: d.bootnodes,
    sources: [...o.dialSources, ...(d.extraSources ?? [])],
    ...(o.hostResolver && { hostResolver: o.hostResolver }),
    ...(netRestrict ? { allowed: (n: Node) => netRestrict.contains(n.ip) } : {}),
    ...(o.dialFilter ? { filter: o.dialFilter } : {}),
    clock: d.clock,
    logger: d.log,
    ...o.dialer,
  })
  for (const n of d.statics) dialer.addStatic(n)
  return dialer
}
