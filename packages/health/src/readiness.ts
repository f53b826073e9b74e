/** What `/readyz` asks of the node. */
export interface ReadinessSource {
  /** The RLPx listener is accepting connections. */
  readonly listening: boolean
  /** Discovery is running (false, or absent, when the node runs without discovery). */
  readonly discoveryRunning?: boolean
  /** Connected peers (default: peers tracked by the tracker). */
  peerCount?(): number
}

/** `/readyz` verdict. */
export interface Readiness {
  ready: boolean
  /**
   * Why not ready, in check order: `not listening`, `discovery not running`,
   * `fewer than minPeers (n < m)`.
   */
  reasons: string[]
  peers: number
}

/** Readiness from the node's state: listening, discovery running, at least `minPeers` peers. */
export function checkReadiness(
  source: ReadinessSource,
  peers: number,
  minPeers: number,
  requireDiscovery: boolean,
): Readiness {
  const reasons: string[] = []
  if (!source.listening) reasons.push('not listening')
  if (requireDiscovery && !source.discoveryRunning) reasons.push('discovery not running')
  if (peers < minPeers) reasons.push(`fewer than minPeers (${peers} < ${minPeers})`)
  return { ready: reasons.length === 0, reasons, peers }
}

/**
 * A probe that says whether discovery runs: a `running()` method or a `running` flag.
 * `@x/discover`'s `Discovery` is one (`running` is true while it is started).
 */
export type DiscoveryProbe = { running(): boolean } | { readonly running: boolean }

/** The node's discovery as readiness sees it: a {@link DiscoveryProbe} or a plain function. */
export type DiscoverySource = DiscoveryProbe | (() => boolean)

/** Turns a {@link DiscoverySource} into a `running()` function. */
export function discoveryRunning(source: DiscoverySource): () => boolean {
  if (typeof source === 'function') return source
  const probe = source as { running: boolean | (() => boolean) }
  return typeof probe.running === 'function'
    ? () => (probe.running as () => boolean).call(probe)
    : () => probe.running === true
}
