import type { Discovery, PacketName, UDPv4Stats } from '@x/discover'
import type { HealthTracker } from '@x/health'
import type { HeartbeatService } from '@x/heartbeat'
import { connFailureKind, type Server } from '@x/p2p'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/**
 * go-ethereum's p2p meter set (p2p/metrics.go, p2p/peer.go, p2p/discover/metrics.go) as
 * Prometheus metrics, fed by the packages' events and counters. geth's meter paths become names
 * with `_` for `/`; the variable parts of a path (an error kind, a protocol and message code, a
 * packet type) become labels. Every label set is bounded: error kinds are `ConnFailureKind`,
 * protocols are those the server runs (it drops messages outside their code ranges), packet
 * types are discv4's six, drop reasons this package's error codes, buckets 17.
 */
export interface MetricsSources {
  /** The server, before `start()` so that no peer goes uncounted. */
  server: Server
  /** The server's discovery once started (undefined with `--nodiscover`). */
  discovery: () => Discovery | undefined
  tracker: HealthTracker
}

/** The registry, and where heartbeat senders (built after the server starts) are added. */
export interface NodeMetrics {
  registry: Registry
  countHeartbeats(services: readonly HeartbeatService[]): void
}

const handshakeBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const rttBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
const packetNames: readonly PacketName[] = [
  'ping',
  'pong',
  'findnode',
  'neighbors',
  'enrrequest',
  'enrresponse',
]

/** Builds the registry: default process metrics plus the p2p set, fed from `sources`. */
export function nodeMetrics(sources: MetricsSources, signal: AbortSignal): NodeMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const { server, discovery, tracker } = sources
  const on = { signal }

  const peers = () => server.peers()
  new Gauge({
    name: 'p2p_peers',
    help: 'Connected peers',
    registers,
    collect() {
      this.set(server.peerCount())
    },
  })
  new Gauge({
    name: 'p2p_peers_inbound',
    help: 'Connected peers that dialed us',
    registers,
    collect() {
      this.set(peers().filter((p) => p.inbound).length)
    },
  })
  new Gauge({
    name: 'p2p_peers_outbound',
    help: 'Connected peers we dialed',
    registers,
    collect() {
      this.set(peers().filter((p) => !p.inbound).length)
    },
  })

  const conns = (dir: 'dials' | 'serves', who: string) => ({
    all: new Counter({ name: `p2p_${dir}`, help: `Connections ${who}`, registers }),
    success: new Counter({
      name: `p2p_${dir}_success`,
      help: `Connections ${who} that became peers`,
      registers,
    }),
    error: new Counter({
      name: `p2p_${dir}_error`,
      help: `Connections ${who} that failed, by go-ethereum's error kind`,
      labelNames: ['reason'] as const,
      registers,
    }),
  })
  const dials = conns('dials', 'we dialed')
  const serves = conns('serves', 'we accepted')
  server.addEventListener(
    'peer:added',
    (e) => {
      const c = e.detail.peer.inbound ? serves : dials
      c.all.inc()
      c.success.inc()
    },
    on,
  )
  server.addEventListener(
    'conn:failed',
    (e) => {
      const c = e.detail.inbound ? serves : dials
      c.all.inc()
      c.error.inc({ reason: connFailureKind(e.detail) })
    },
    on,
  )
  const handshake = new Histogram({
    name: 'p2p_handshake_seconds',
    help: 'Duration of the RLPx encryption handshake (stage="enc", TCP connect included for dials) and of the hello (stage="proto")',
    labelNames: ['stage', 'direction'] as const,
    buckets: handshakeBuckets,
    registers,
  })
  server.addEventListener(
    'conn:handshake',
    (e) => {
      const direction = e.detail.inbound ? 'inbound' : 'outbound'
      handshake.observe({ stage: 'enc', direction }, e.detail.encMs / 1000)
      handshake.observe({ stage: 'proto', direction }, e.detail.protoMs / 1000)
    },
    on,
  )

  const traffic = (dir: 'ingress' | 'egress', what: string) => ({
    bytes: new Counter({
      name: `p2p_${dir}`,
      help: `Message payload bytes ${what} (before compression), by protocol and message code`,
      labelNames: ['protocol', 'code'] as const,
      registers,
    }),
    packets: new Counter({
      name: `p2p_${dir}_packets`,
      help: `Messages ${what}, by protocol and message code`,
      labelNames: ['protocol', 'code'] as const,
      registers,
    }),
  })
  const ingress = traffic('ingress', 'received')
  const egress = traffic('egress', 'sent')
  const onMessage =
    (t: typeof ingress) => (e: CustomEvent<{ protocol: string; code: number; size: number }>) => {
      const labels = { protocol: e.detail.protocol, code: String(e.detail.code) }
      t.bytes.inc(labels, e.detail.size)
      t.packets.inc(labels)
    }
  server.addEventListener('message:received', onMessage(ingress), on)
  server.addEventListener('message:sent', onMessage(egress), on)

  const rtt = new Histogram({
    name: 'p2p_ping_rtt_seconds',
    help: 'Round-trip time of successful peer pings (source="ping/1" or the base protocol\'s Ping/Pong)',
    labelNames: ['source'] as const,
    buckets: rttBuckets,
    registers,
  })
  tracker.addEventListener(
    'peer:rtt',
    (e) => rtt.observe({ source: e.detail.source }, e.detail.rtt / 1000),
    on,
  )

  const beats = new Counter({
    name: 'heartbeat_sends',
    help: 'Heartbeats sent to an aggregator, by result (ok, error)',
    labelNames: ['result'] as const,
    registers,
  })
  beats.inc({ result: 'ok' }, 0)
  beats.inc({ result: 'error' }, 0)
  discoveryMetrics(discovery, registers)
  return {
    registry,
    countHeartbeats(services) {
      for (const hb of services) {
        hb.addEventListener('beat:sent', () => beats.inc({ result: 'ok' }), on)
        hb.addEventListener('beat:failed', () => beats.inc({ result: 'error' }), on)
      }
    },
  }
}

const noStats: Omit<UDPv4Stats, 'received' | 'sent' | 'pongs'> = {
  bytesReceived: 0,
  bytesSent: 0,
  receivedByType: {},
  sentByType: {},
  dropped: {},
}

/** discv4: counters the UDP service keeps, read at each scrape (zero without discovery). */
function discoveryMetrics(get: () => Discovery | undefined, registers: Registry[]): void {
  const current = () => get()?.udp.stats ?? noStats
  // A counter mirrors a total the service keeps: the difference since the last scrape is added.
  const last = new Map<string, number>()
  const mirror = (
    c: Counter<string>,
    key: string,
    labels: Record<string, string>,
    total: number,
  ) => {
    const prev = last.get(key) ?? 0
    if (total > prev) c.inc(labels, total - prev)
    last.set(key, total)
  }
  const bytes = (dir: 'ingress' | 'egress', get: () => number) =>
    new Counter({
      name: `discover_${dir}`,
      help: `discv4 datagram bytes ${dir === 'ingress' ? 'received' : 'sent'}`,
      registers,
      collect() {
        mirror(this, dir, {}, get())
      },
    })
  bytes('ingress', () => current().bytesReceived)
  bytes('egress', () => current().bytesSent)
  const packets = (dir: 'ingress' | 'egress', byType: () => UdpByType) =>
    new Counter({
      name: `discover_${dir}_packets`,
      help: `discv4 packets ${dir === 'ingress' ? 'received (decoded)' : 'sent'}, by type`,
      labelNames: ['type'] as const,
      registers,
      collect() {
        const counts = byType()
        for (const type of packetNames) mirror(this, `${dir}/${type}`, { type }, counts[type] ?? 0)
      },
    })
  packets('ingress', () => current().receivedByType)
  packets('egress', () => current().sentByType)
  new Counter({
    name: 'discover_v4_dropped',
    help: 'discv4 packets dropped, by reason (error code)',
    labelNames: ['reason'] as const,
    registers,
    collect() {
      for (const [reason, n] of Object.entries(current().dropped)) {
        mirror(this, `dropped/${reason}`, { reason }, n)
      }
    },
  })
  new Gauge({
    name: 'discover_table_size',
    help: 'Live nodes in the discovery table',
    registers,
    collect() {
      this.set(get()?.stats().tableSize ?? 0)
    },
  })
  new Gauge({
    name: 'discover_bucket_count',
    help: 'Live nodes per table bucket (bucket 0 is the nearest)',
    labelNames: ['bucket'] as const,
    registers,
    collect() {
      get()
        ?.stats()
        .buckets.forEach((n, i) => {
          this.set({ bucket: String(i) }, n)
        })
    },
  })
}

type UdpByType = Partial<Record<PacketName, number>>
