import type { Discovery, Logger } from '@x/discover'
import type { EthHandler } from '@x/eth'
import type { NodeHealth } from '@x/health'
import { disconnectReasonText, type Server } from '@x/p2p'

/** How often the node logs its discovery table (go-ethereum logs its table every 30 s too). */
export const discoveryLogInterval = 30_000

const short = (id: string) => id.slice(0, 16)

/** Peer added / dropped (with the reason and who disconnected) at info; failed connections at debug. */
export function logServer(server: Server, log: Logger): void {
  server.addEventListener('peer:added', ({ detail: { peer } }) => {
    log.info('peer added', {
      id: short(peer.idHex),
      addr: `${peer.remoteAddress.ip}:${peer.remoteAddress.port}`,
      inbound: peer.inbound,
      client: peer.clientId,
      caps: peer.running.map((p) => `${p.protocol.name}/${p.protocol.version}`),
      peers: server.peerCount(),
    })
  })
  server.addEventListener('peer:removed', ({ detail }) => {
    log.info('peer dropped', {
      id: short(detail.peer.idHex),
      reason: disconnectReasonText[detail.reason],
      remote: detail.remote,
      ...(detail.error !== undefined && { error: detail.error }),
      peers: server.peerCount(),
    })
  })
  server.addEventListener('conn:failed', ({ detail }) => {
    log.debug('connection failed', {
      inbound: detail.inbound,
      addr: `${detail.remoteAddress.ip}:${detail.remoteAddress.port}`,
      ...(detail.id !== undefined && { id: short(detail.id) }),
      ...(detail.reason !== undefined && { reason: disconnectReasonText[detail.reason] }),
      error: detail.error,
    })
  })
}

/** Failed eth handshakes (a registered peer is logged by @x/eth itself: version and head). */
export function logEth(eth: EthHandler, log: Logger): void {
  eth.addEventListener('handshake:failed', ({ detail }) => {
    log.info('eth handshake failed', { id: short(detail.id), error: detail.error })
  })
}

/** Every health state change of a peer. */
export function logHealth(health: NodeHealth, log: Logger): void {
  health.tracker.addEventListener('peer:state', ({ detail }) => {
    const level = detail.state === 'healthy' ? 'info' : 'warn'
    log[level]('peer health', {
      id: short(detail.id),
      from: detail.previous,
      to: detail.state,
      reason: detail.reason,
    })
  })
}

/** Logs the table size, bucket fill and bonded count periodically; returns the stop function. */
export function logDiscovery(discovery: Discovery, log: Logger): () => void {
  const timer = setInterval(() => {
    const s = discovery.stats()
    log.info('discovery table', {
      size: s.tableSize,
      buckets: s.buckets.join(','),
      replacements: s.replacements,
      bonded: s.bonded,
      db: s.dbSize,
    })
  }, discoveryLogInterval)
  timer.unref()
  return () => clearInterval(timer)
}
