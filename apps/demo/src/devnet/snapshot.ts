// What the devnet sends the dashboard: plain data, shared by the server and the page.

/** An aggregator alert, from its log line. */
export interface AlertEntry {
  at: number
  kind: string
  node: string
  nickname: string
  message: string
}

/** One peer as the page shows it. */
export interface PeerView {
  /** The peer's devnet name (its short id when it is no devnet node). */
  name: string
  inbound: boolean
  caps: string[]
  /** Last ping/1 RTT (ms), null before the first sample. */
  rtt: number | null
  bytesIn: number
  bytesOut: number
}

export interface NodeView {
  name: string
  ip: string
  status: 'starting' | 'running' | 'stopped'
  /** The aggregator's verdict: ok, silent, behind; unknown before its first beat. */
  health: string
  id: string | null
  enode: string | null
  enr: string | null
  /** The ENR's key/value pairs, decoded (ports and ip as numbers and text, the rest hex). */
  enrFields: Record<string, string>
  client: string | null
  /** Our protocols, as `name/version`. */
  protocols: string[]
  uptimeSeconds: number | null
  bytesIn: number
  bytesOut: number
  height: number | null
  peers: PeerView[]
  /** Names of the devnet nodes in its discovery table. */
  table: string[]
  partitions: string[]
}

/** What the dashboard draws, sent on every tick. `timeline` only in full snapshots. */
export interface Snapshot {
  t: number
  startedAt: number
  fullMeshMs: number | null
  firstAlertMs: number | null
  meshComplete: boolean
  nodes: NodeView[]
  /** RLPx links between devnet nodes, as name pairs (each once). */
  links: [string, string][]
  alerts: AlertEntry[]
  timeline?: Record<string, [number, number, number][]>
}
