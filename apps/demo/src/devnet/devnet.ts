import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TypedEventTarget } from '@x/core'
import { maxNodes } from '../config.js'
import { DemoError } from '../errors.js'
import { aggregatorFlags, aggregatorUrl, healthUrl, nodeFlags, shortId, started } from '../nodes.js'
import { type LogLine, NodeProcess } from '../proc.js'
import { loopbackExcept } from './netrestrict.js'
import type { AlertEntry } from './snapshot.js'

/** A devnet node: its fixed name, address and datadir, and the process running it (if any). */
export interface Member {
  readonly name: string
  /** Its own loopback address (127.0.1.x), so that a partition can name it in --netrestrict. */
  readonly ip: string
  readonly datadir: string
  proc: NodeProcess | undefined
  status: 'starting' | 'running' | 'stopped'
  id: string | undefined
  enode: string | undefined
  healthUrl: string | undefined
  /** Its protocols as `name/version`, from its `node started` line. */
  protocols: string[]
  /** Short ids (16 hex) of its RLPx peers, from its `peer added` / `peer dropped` lines. */
  readonly links: Set<string>
  /** Names of the members it is partitioned from. */
  readonly partitions: Set<string>
}

export interface DevnetEvents extends Record<string, unknown> {
  /** Something visible changed: a link, a member's status, an alert. */
  change: undefined
}

export interface DevnetOptions {
  nodes: number
  beatMs: number
}

/** Alerts kept; the oldest is dropped first. */
export const maxAlerts = 200
/** Peers a node may have: enough that every node dials every other (dial ratio 3). */
const nodeMaxPeers = 3 * (maxNodes + 4)

/**
 * N node-apps on 127.0.0.0/8 — one bootnode (`n0`), every other node bootstrapping from it —
 * beating to an aggregator node-app. `start()` resolves once all have started; the controls
 * (`stopNode`, `restartNode`, `addNode`, `partition`, `heal`) resolve once done; `stop()` ends
 * every process and removes the datadirs. Links and alerts are read from the nodes' log lines.
 */
export class Devnet extends TypedEventTarget<DevnetEvents> {
  readonly members = new Map<string, Member>()
  readonly alerts: AlertEntry[] = []
  readonly startedAt = Date.now()
  fullMeshAt: number | undefined
  firstAlertAt: number | undefined
  aggregatorApi: string | undefined
  readonly #o: DevnetOptions
  #dir: string | undefined
  #aggregator: NodeProcess | undefined
  #aggregatorEnode = ''
  #bootnode = ''
  #nextIndex = 0
  #stopped = false
  /** Every node of `nodes` has started once: only then is a full mesh the devnet's. */
  #allStarted = false

  constructor(options: DevnetOptions) {
    super()
    this.#o = options
  }

  async start(): Promise<void> {
    this.#dir = await mkdtemp(join(tmpdir(), 'demo-devnet-'))
    const agg = NodeProcess.spawn(
      'aggregator',
      aggregatorFlags(join(this.#dir, 'aggregator'), maxNodes + 10),
    )
    this.#aggregator = agg
    agg.onLine((l) => this.#aggregatorLine(l))
    this.#aggregatorEnode = (await started(agg)).enode
    this.aggregatorApi = await aggregatorUrl(agg)
    const boot = this.#newMember()
    await this.#launch(boot)
    this.#bootnode = boot.enode ?? ''
    const others = Array.from({ length: this.#o.nodes - 1 }, () => this.#newMember())
    await Promise.all(others.map((m) => this.#launch(m)))
    this.#allStarted = true
    this.#checkMesh()
  }

  /** Running members (started, not stopped). */
  running(): Member[] {
    return [...this.members.values()].filter((m) => m.status === 'running')
  }

  /** The member named `name`; throws ERR_UNKNOWN_NODE. */
  member(name: string): Member {
    const m = this.members.get(name)
    if (!m) throw new DemoError('ERR_UNKNOWN_NODE', `no node named ${JSON.stringify(name)}`)
    return m
  }

  /** Whether every running node has an RLPx link to every other running node. */
  meshComplete(): boolean {
    const live = this.running()
    return (
      live.length > 1 &&
      live.every((m) => live.every((o) => o === m || (o.id && m.links.has(shortId(o.id)))))
    )
  }

  /** Stops a node (SIGTERM: its peers get Disconnect, its heartbeats stop). */
  async stopNode(name: string): Promise<void> {
    const m = this.member(name)
    const proc = m.proc
    m.status = 'stopped'
    this.#changed()
    await proc?.stop()
  }

  /** Starts a stopped node again on its datadir: same key, same address, same partitions. */
  async restartNode(name: string): Promise<void> {
    const m = this.member(name)
    if (m.status !== 'stopped') await this.stopNode(name)
    await this.#launch(m)
  }

  /** Adds a node that bootstraps from the bootnode. */
  async addNode(): Promise<Member> {
    if (this.members.size >= maxNodes) {
      throw new DemoError('ERR_TOO_MANY_NODES', `at most ${maxNodes} nodes`)
    }
    const m = this.#newMember()
    await this.#launch(m)
    return m
  }

  /**
   * Partitions `a` from `b`: both restart with `--netrestrict` allowing 127.0.0.0/8 but the
   * other's address, so neither dials, accepts or answers the other (discovery included).
   */
  async partition(a: string, b: string, apart = true): Promise<void> {
    const ma = this.member(a)
    const mb = this.member(b)
    if (ma === mb)
      throw new DemoError('ERR_BAD_CONTROL', 'a node cannot be partitioned from itself')
    if (apart) {
      ma.partitions.add(b)
      mb.partitions.add(a)
    } else {
      ma.partitions.delete(b)
      mb.partitions.delete(a)
    }
    await Promise.all([this.restartNode(a), this.restartNode(b)])
  }

  /** Undoes `partition(a, b)`: both restart without the restriction. */
  heal(a: string, b: string): Promise<void> {
    return this.partition(a, b, false)
  }

  /** Ends every process and removes the datadirs. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    const procs = [...this.members.values()].map((m) => m.proc)
    for (const m of this.members.values()) m.status = 'stopped'
    await Promise.all([...procs, this.#aggregator].map((p) => p?.stop()))
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true })
  }

  #newMember(): Member {
    const i = this.#nextIndex++
    const m: Member = {
      name: `n${i}`,
      ip: `127.0.1.${i + 1}`,
      datadir: join(this.#dir ?? tmpdir(), `n${i}`),
      proc: undefined,
      status: 'stopped',
      id: undefined,
      enode: undefined,
      healthUrl: undefined,
      protocols: [],
      links: new Set(),
      partitions: new Set(),
    }
    this.members.set(m.name, m)
    return m
  }

  async #launch(m: Member): Promise<void> {
    if (this.#stopped) throw new DemoError('ERR_BAD_CONTROL', 'the devnet is stopping')
    const excluded = [...m.partitions].map((n) => this.member(n).ip)
    const proc = NodeProcess.spawn(
      m.name,
      nodeFlags({
        datadir: m.datadir,
        nickname: m.name,
        aggregator: this.#aggregatorEnode,
        beatMs: this.#o.beatMs,
        maxpeers: nodeMaxPeers,
        extra: [
          // Bound to its own address, so that its packets come from the address it advertises
          // (a node on 0.0.0.0 answers from 127.0.0.1) and a partition can name it.
          '--addr',
          m.ip,
          '--extip',
          m.ip,
          ...(excluded.length > 0 ? ['--netrestrict', loopbackExcept(excluded).join(',')] : []),
        ],
        ...(this.#bootnode && { bootnodes: this.#bootnode }),
      }),
    )
    m.proc = proc
    m.status = 'starting'
    m.links.clear()
    this.#changed()
    proc.onLine((l) => this.#nodeLine(m, proc, l))
    proc.exited.then(() => {
      if (m.proc !== proc) return
      m.status = 'stopped'
      m.links.clear()
      this.#changed()
    })
    const s = await started(proc)
    m.id = s.id
    m.enode = s.enode
    m.protocols = Array.isArray(s.line.protocols) ? s.line.protocols.map(String) : []
    m.healthUrl = await healthUrl(proc)
    if (m.proc === proc && proc.running && m.status === 'starting') m.status = 'running'
    this.#changed()
  }

  #nodeLine(m: Member, proc: NodeProcess, l: LogLine): void {
    if (m.proc !== proc) return
    if (l.msg === 'peer added') m.links.add(String(l.peer))
    else if (l.msg === 'peer dropped') m.links.delete(String(l.peer))
    else return
    this.#checkMesh()
    this.#changed()
  }

  #checkMesh(): void {
    if (this.fullMeshAt === undefined && this.#allStarted && this.meshComplete()) {
      this.fullMeshAt = Date.now()
      this.#changed()
    }
  }

  #aggregatorLine(l: LogLine): void {
    if (!l.msg.startsWith('alert: ')) return
    const at = Date.parse(l.t)
    this.firstAlertAt ??= at
    this.alerts.push({
      at,
      kind: String(l.kind),
      node: String(l.node),
      nickname: String(l.nickname),
      message: l.msg.slice('alert: '.length),
    })
    if (this.alerts.length > maxAlerts) this.alerts.shift()
    this.#changed()
  }

  #changed(): void {
    this.emit('change', undefined)
  }
}
