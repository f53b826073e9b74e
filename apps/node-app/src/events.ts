import { type Logger, toHex } from '@x/core'
import { type Discovery, formatEnode, type TableEvents } from '@x/discover'
import { type EthService, txHash } from '@x/eth'
import { disconnectReasonText, type Server } from '@x/p2p'

const hash = (b: Uint8Array) => `0x${toHex(b)}`

/** How often the node logs its discovery table (go-ethereum logs its table every 30 s too). */
export const discoveryLogInterval = 30_000

const short = (id: string) => id.slice(0, 16)

/** Peer added / dropped (with the reason and who disconnected) at info; failed connections at debug. */
export function logServer(server: Server, log: Logger): void {
  server.addEventListener('peer:added', ({ detail: { peer } }) => {
    log.info('peer added', {
      peer: short(peer.idHex),
      addr: `${peer.remoteAddress.ip}:${peer.remoteAddress.port}`,
      inbound: peer.inbound,
      client: peer.clientId,
      caps: peer.running.map((p) => `${p.protocol.name}/${p.protocol.version}`),
      peers: server.peerCount(),
    })
  })
  server.addEventListener('peer:removed', ({ detail }) => {
    log.info('peer dropped', {
      peer: short(detail.peer.idHex),
      reason: disconnectReasonText[detail.reason],
      remote: detail.remote,
      ...(detail.error !== undefined && { err: detail.error }),
      peers: server.peerCount(),
    })
  })
  server.addEventListener('conn:failed', ({ detail }) => {
    log.debug('connection failed', {
      inbound: detail.inbound,
      addr: `${detail.remoteAddress.ip}:${detail.remoteAddress.port}`,
      ...(detail.id !== undefined && { peer: short(detail.id) }),
      ...(detail.reason !== undefined && { reason: disconnectReasonText[detail.reason] }),
      err: detail.error,
    })
  })
}

/**
 * Failed eth handshakes at info (a registered peer is logged by @x/eth itself, with its head);
 * every new head a peer announces and the transactions peers add to our pool at debug.
 */
export function logEth(eth: EthService, log: Logger): void {
  eth.handler.addEventListener('handshake:failed', ({ detail }) => {
    log.info('eth handshake failed', { peer: short(detail.id), err: detail.error })
  })
  eth.handler.addEventListener('peer:head', ({ detail: { peer, head } }) => {
    log.debug('peer head', {
      peer: short(peer.id),
      number: head.number,
      hash: hash(head.hash),
    })
  })
  eth.handler.addEventListener('txs:pooled', ({ detail: { peer, txs, fetched } }) => {
    log.debug('transactions pooled', {
      peer: short(peer.id),
      fetched,
      count: txs.length,
      hashes: txs.slice(0, maxLoggedTxs).map((tx) => hash(txHash(tx))),
    })
  })
}

/** Transaction hashes named in one `transactions pooled` line; a big batch is cut there. */
const maxLoggedTxs = 16

/**
 * Logs the table size, bucket fill and bonded count periodically, and each node entering or
 * leaving the table's live entries at debug (`table node added` / `table node removed`, with
 * `node`, `addr` and `bucket`); returns the stop function.
 */
export function logDiscovery(discovery: Discovery, log: Logger): () => void {
  const table = discovery.kademlia.table
  const listening = new AbortController()
  const entry = (msg: string) => (e: { detail: TableEvents['node:added'] }) =>
    log.debug(msg, {
      node: short(e.detail.node.idHex),
      addr: `${e.detail.node.ip}:${e.detail.node.udp}`,
      bucket: e.detail.bucket,
    })
  table.addEventListener('node:added', entry('table node added'), { signal: listening.signal })
  table.addEventListener('node:removed', entry('table node removed'), {
    signal: listening.signal,
  })
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
    { signal: listening.signal },
  )
  return () => {
    clearInterval(timer)
    listening.abort()
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
