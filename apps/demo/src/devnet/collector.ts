import { toHex } from '@x/core'
import { Enr } from '@x/discover'
import { getJson, shortId } from '../nodes.js'
import type { Devnet, Member } from './devnet.js'
import type { NodeView, Snapshot } from './snapshot.js'

/** Samples of the heartbeat timeline kept per node (oldest dropped first). */
export const maxTimeline = 600

/** The part of node-app's `GET /node` the dashboard reads (see apps/node-app/src/report.ts). */
interface NodeReport {
  node: { name: string; enr?: string }
  uptimeSeconds: number
  traffic: { bytesIn: number; bytesOut: number }
  peers: {
    nodeId: string
    caps: string[]
    network: { inbound: boolean }
    traffic: { bytesIn: number; bytesOut: number }
  }[]
  table: { nodeId: string }[]
}

interface AggNode {
  nickname: string
  state: string
  lastBeat: { height: number; peerCount: number }
}

interface PeerHealth {
  id: string
  rtt: { last: number | null }
}

/**
 * Polls every running node's `/node` and `/health/peers` and the aggregator's `/nodes`, one
 * round per `tick()` (requests in parallel, each bounded by a timeout), and builds snapshots.
 */
export class Collector {
  readonly #devnet: Devnet
  readonly #reports = new Map<string, { report: NodeReport; rtts: Map<string, number | null> }>()
  readonly #agg = new Map<string, AggNode>()
  /** Per node: [t, height, peerCount] samples. */
  readonly #timeline = new Map<string, [number, number, number][]>()

  constructor(devnet: Devnet) {
    this.#devnet = devnet
  }

  /** One polling round. Failures of single nodes (stopping, restarting) are skipped. */
  async tick(): Promise<void> {
    const d = this.#devnet
    const live = d.running()
    await Promise.all([
      ...live.map(async (m) => {
        const url = m.healthUrl
        if (!url) return
        try {
          const [report, health] = await Promise.all([
            getJson<NodeReport>(`${url}/node`),
            getJson<{ peers: PeerHealth[] }>(`${url}/health/peers`),
          ])
          const rtts = new Map(health.peers.map((p) => [p.id, p.rtt.last]))
          this.#reports.set(m.name, { report, rtts })
        } catch {
          // The node is going away; its status says so.
        }
      }),
      (async () => {
        if (!d.aggregatorApi) return
        try {
          const { nodes } = await getJson<{ nodes: AggNode[] }>(`${d.aggregatorApi}/nodes`)
          const now = Date.now()
          for (const n of nodes) {
            this.#agg.set(n.nickname, n)
            const series = this.#timeline.get(n.nickname) ?? []
            series.push([now, n.lastBeat.height, n.lastBeat.peerCount])
            if (series.length > maxTimeline) series.shift()
            this.#timeline.set(n.nickname, series)
          }
        } catch {
          // Next round.
        }
      })(),
    ])
    for (const name of this.#reports.keys()) {
      if (d.members.get(name)?.status === 'stopped') this.#reports.delete(name)
    }
  }

  snapshot(full = false): Snapshot {
    const d = this.#devnet
    const byShort = new Map<string, string>()
    for (const m of d.members.values()) if (m.id) byShort.set(shortId(m.id), m.name)
    const nameOf = (id: string) => byShort.get(shortId(id)) ?? shortId(id)
    const nodes = [...d.members.values()].map((m) => this.#view(m, nameOf))
    const links = new Map<string, [string, string]>()
    for (const m of d.running()) {
      for (const id of m.links) {
        const other = byShort.get(id)
        if (!other || d.members.get(other)?.status !== 'running') continue
        const pair = [m.name, other].sort() as [string, string]
        links.set(pair.join(' '), pair)
      }
    }
    return {
      t: Date.now(),
      startedAt: d.startedAt,
      fullMeshMs: d.fullMeshAt === undefined ? null : d.fullMeshAt - d.startedAt,
      firstAlertMs: d.firstAlertAt === undefined ? null : d.firstAlertAt - d.startedAt,
      meshComplete: d.meshComplete(),
      nodes,
      links: [...links.values()],
      alerts: [...d.alerts],
      ...(full && { timeline: Object.fromEntries(this.#timeline) }),
    }
  }

  #view(m: Member, nameOf: (id: string) => string): NodeView {
    const entry = m.status === 'stopped' ? undefined : this.#reports.get(m.name)
    const r = entry?.report
    const agg = this.#agg.get(m.name)
    return {
      name: m.name,
      ip: m.ip,
      status: m.status,
      health: agg?.state ?? 'unknown',
      id: m.id ?? null,
      enode: m.enode ?? null,
      enr: r?.node.enr ?? null,
      enrFields: r?.node.enr ? decodeEnr(r.node.enr) : {},
      client: r?.node.name ?? null,
      protocols: m.protocols,
      uptimeSeconds: r?.uptimeSeconds ?? null,
      bytesIn: r?.traffic.bytesIn ?? 0,
      bytesOut: r?.traffic.bytesOut ?? 0,
      height: agg?.lastBeat.height ?? null,
      peers: (r?.peers ?? []).map((p) => ({
        name: nameOf(p.nodeId),
        inbound: p.network.inbound,
        caps: p.caps,
        rtt: entry?.rtts.get(p.nodeId) ?? null,
        bytesIn: p.traffic.bytesIn,
        bytesOut: p.traffic.bytesOut,
      })),
      table: (r?.table ?? []).map((e) => nameOf(e.nodeId)),
      partitions: [...m.partitions],
    }
  }
}

/** The record's pairs for people: seq, id, ip, ports as numbers; keys and others as hex. */
export function decodeEnr(text: string): Record<string, string> {
  try {
    const enr = Enr.fromText(text)
    const out: Record<string, string> = { seq: enr.seq.toString(), nodeId: toHex(enr.nodeId) }
    for (const [k, v] of enr.entries) {
      if (k === 'ip') out[k] = enr.ip ?? ''
      else if (k === 'tcp' || k === 'udp') out[k] = String(enr[k] ?? '')
      else if (k === 'id' && v instanceof Uint8Array) out[k] = Buffer.from(v).toString('utf8')
      else out[k] = v instanceof Uint8Array ? toHex(v) : `[${v.length} items]`
    }
    return out
  } catch (err) {
    return { error: (err as Error).message }
  }
}
