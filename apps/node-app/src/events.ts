import { type Logger, toHex } from '@x/core'
import { type Discovery, formatEnode } from '@x/discover'
import type { EthService } from '@x/eth'
import { disconnectReasonText, type Server } from '@x/p2p'

const hash = (b: Uint8Array) => `0x${toHex(b)}`

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

/**
 * Failed eth handshakes at info (a registered peer is logged by @x/eth itself, with its head);
 * every new head a peer announces at debug.
 */
export function logEth(eth: EthService, log: Logger): void {
  eth.handler.addEventListener('handshake:failed', ({ detail }) => {
    log.info('eth handshake failed', { id: short(detail.id), error: detail.error })
  })
  eth.handler.addEventListener('peer:head', ({ detail: { peer, head } }) => {
    log.debug('peer head', {
      id: short(peer.id),
      number: head.number,
      hash: hash(head.hash),
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
  // The enode URL follows the endpoint learned from peers' Pongs or a NAT gateway.
  const ac = new AbortController()
  discovery.udp.addEventListener(
    'endpoint:changed',
    (e) =>
      log.info('advertised endpoint changed', {
        enode: formatEnode(e.detail.node),
        ...(discovery.udp.self6 && { ip6: discovery.udp.self6.ip }),
        seq: e.detail.enr.seq.toString(),
        pongs: e.detail.pongs,
        statements: e.detail.statements,
      }),
    { signal: ac.signal },
  )
  return () => {
    clearInterval(timer)
    ac.abort()
  }
}

/** How often the node logs its chain and eth peers' heads. */
export const statusLogInterval = 30_000

/** Logs our head and the best eth peer's head periodically; returns the stop function. */
export function logChainStatus(eth: EthService, log: Logger): () => void {
  const timer = setInterval(() => {
    const head = eth.backend.chain.head()
    const best = eth.peers.bestPeer()
    log.info('chain status', {
      head: head.number,
      hash: hash(head.hash),
      ethPeers: eth.peers.len,
      ...(best && { bestPeer: short(best.id), bestPeerHead: best.head.number ?? null }),
    })
  }, statusLogInterval)
  timer.unref()
  return () => clearInterval(timer)
}
