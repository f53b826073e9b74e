import { formatEnode } from '@x/discover'
import type { MsgEvent, MsgEventSink, NodeInfo, PeerInfo, Server } from '@x/p2p'

/** Message payload bytes (before snappy), in both directions. */
export interface Traffic {
  bytesIn: number
  bytesOut: number
}

/** One connected peer in `GET /node`: go-ethereum's `admin_peers` entry plus its traffic. */
export interface PeerReport extends PeerInfo {
  /** The remote's node ID, 128 hex characters (`id` is its keccak256, as in go-ethereum). */
  nodeId: string
  traffic: Traffic
}

/** A live entry of the discovery table. */
export interface TableEntry {
  /** Node ID, 128 hex characters. */
  nodeId: string
  enode: string
}

/**
 * `GET /node` on the health endpoints: who this node is (`admin_nodeInfo`), how long it has
 * run, its traffic, its peers (`admin_peers`) and the live entries of its discovery table. A
 * read-only snapshot for dashboards such as apps/demo.
 */
export interface NodeReport {
  node: NodeInfo
  uptimeSeconds: number
  traffic: Traffic
  peers: PeerReport[]
  /** Empty with `--nodiscover`. At most 17 buckets × 16 entries, by go-ethereum's table bounds. */
  table: TableEntry[]
}

/**
 * Builds `GET /node`: construct it before the server (its `onMessage` counts traffic), then
 * `attach(server)` once the server runs. Per-peer counters exist for connected peers only:
 * an entry is dropped with its peer, so the map is bounded by the server's peer limit.
 */
export class NodeReporter {
  readonly #total: Traffic = { bytesIn: 0, bytesOut: 0 }
  readonly #perPeer = new Map<string, Traffic>()
  readonly #startedAt = performance.now()
  #server: Server | undefined

  /** Counts one message; pass as (part of) the server's `onMessage`. */
  readonly onMessage: MsgEventSink = (e: MsgEvent) => {
    const peer = this.#perPeer.get(e.peer)
    const key = e.direction === 'received' ? 'bytesIn' : 'bytesOut'
    this.#total[key] += e.size
    if (peer) peer[key] += e.size
  }

  /** Starts per-peer counting for `server`'s peers; `signal` detaches. */
  attach(server: Server, signal: AbortSignal): void {
    this.#server = server
    for (const p of server.peers()) this.#perPeer.set(p.idHex, { bytesIn: 0, bytesOut: 0 })
    server.addEventListener(
      'peer:added',
      (e) => this.#perPeer.set(e.detail.peer.idHex, { bytesIn: 0, bytesOut: 0 }),
      { signal },
    )
    server.addEventListener('peer:removed', (e) => this.#perPeer.delete(e.detail.peer.idHex), {
      signal,
    })
    signal.addEventListener('abort', () => {
      this.#server = undefined
      this.#perPeer.clear()
    })
  }

  /** The report, or undefined before `attach`. */
  report(): NodeReport | undefined {
    const server = this.#server
    if (!server) return undefined
    const peers = server.peers()
    const infos = server.peersInfo()
    const table = server.discovery?.kademlia.table.nodes() ?? []
    return {
      node: server.nodeInfo(),
      uptimeSeconds: Math.round((performance.now() - this.#startedAt) / 1000),
      traffic: { ...this.#total },
      peers: infos.map((info, i) => {
        const id = peers[i]?.idHex ?? ''
        return { ...info, nodeId: id, traffic: { ...(this.#perPeer.get(id) ?? zero) } }
      }),
      table: table.map((n) => ({ nodeId: n.idHex, enode: formatEnode(n) })),
    }
  }
}

const zero: Traffic = { bytesIn: 0, bytesOut: 0 }
