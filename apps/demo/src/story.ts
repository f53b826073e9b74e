import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DemoError } from './errors.js'
import {
  aggregatorFlags,
  aggregatorUrl,
  between,
  getJson,
  healthUrl,
  nodeFlags,
  type Started,
  shortId,
  started,
} from './nodes.js'
import { type LogLine, NodeProcess } from './proc.js'

/**
 * The three-node Kademlia story, told from the nodes' own JSON log lines and endpoints: each
 * step waits for the line that proves it happened and prints what was learned, from whom and
 * how long it took (between the nodes' own timestamps). Any step that does not happen within
 * its bound fails the story.
 */

/** Heartbeat period of the story's nodes: the aggregator's silence alert comes after 3 of them. */
const beatMs = 1_000
/** Bound of every step. A restarted node is redialed once the dialer's 35 s history expires. */
const stepTimeoutMs = 60_000

interface PeerHealthView {
  id: string
  state: string
  rtt: { samples: number; last: number | null; min: number | null }
}

type Write = (text: string) => void

class Narrator {
  #step = 0
  readonly #t0 = Date.now()
  constructor(readonly write: Write) {}

  step(title: string, facts: [string, string][]): void {
    this.#step++
    const at = ((Date.now() - this.#t0) / 1000).toFixed(1).padStart(5)
    this.write(`\n[${String(this.#step).padStart(2)}] +${at}s  ${title}\n`)
    for (const [k, v] of facts) this.write(`      ${`${k}:`.padEnd(9)} ${v}\n`)
  }
}

const ms = (n: number) => `${Math.max(0, Math.round(n))} ms`
const short = (s: Started) => `${shortId(s.id)}…`

/** Runs the story; resolves true when every step happened. Stops every process it started. */
export async function runStory(write: Write, signal: AbortSignal): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'demo-story-'))
  const procs: NodeProcess[] = []
  const spawn = (name: string, args: string[]) => {
    const p = NodeProcess.spawn(name, args)
    procs.push(p)
    return p
  }
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(new DemoError('ERR_STEP_FAILED', 'interrupted'))
    if (signal.aborted) fail()
    signal.addEventListener('abort', fail, { once: true })
  })
  aborted.catch(() => {})
  try {
    await Promise.race([tell(new Narrator(write), dir, spawn), aborted])
    write('\nEvery step happened.\n')
    return true
  } catch (err) {
    write(`\nThe story stopped: ${(err as Error).message}\n`)
    return false
  } finally {
    await Promise.all(procs.map((p) => p.stop()))
    await rm(dir, { recursive: true, force: true })
  }
}

async function tell(
  say: Narrator,
  dir: string,
  spawn: (name: string, args: string[]) => NodeProcess,
): Promise<void> {
  const agg = spawn('aggregator', aggregatorFlags(join(dir, 'aggregator'), 8))
  const aggNode = await started(agg)
  const aggApi = await aggregatorUrl(agg)
  say.step('the heartbeat aggregator starts (a node-app with --aggregator, no discovery)', [
    ['learned', `its enode ${aggNode.enode}`],
    ['API', aggApi],
    ['took', ms(between(agg.startedAt, aggNode.line))],
  ])

  const node = (name: string, extra: string[], bootnodes?: string) =>
    spawn(
      name,
      nodeFlags({
        datadir: join(dir, name),
        nickname: name,
        aggregator: aggNode.enode,
        beatMs,
        extra: ['--loglevel', 'debug', ...extra],
        ...(bootnodes && { bootnodes }),
      }),
    )

  // 1. node1 alone.
  const p1 = node('node1', [])
  const n1 = await started(p1)
  say.step('node1 starts alone: no bootnodes, an empty table', [
    ['learned', `its own identity ${n1.enode}`],
    ['from', `a fresh key in ${join(dir, 'node1', 'nodekey')}`],
    ['took', ms(between(p1.startedAt, n1.line))],
  ])

  // 2. node2 bootstraps from node1. --nodial: node2 looks nodes up once, at start, and never
  // dials, so the only way node3 can learn of node2 is node1's NEIGHBORS reply.
  const node2Args = ['--nodial']
  let p2 = node('node2', node2Args, n1.enode)
  const n2 = await started(p2)
  const inT1 = await p1.waitFor('table node added', (l) => l.node === shortId(n2.id), stepTimeoutMs)
  const refreshed = await p2.waitFor('table refreshed', undefined, stepTimeoutMs)
  say.step('node2 bootstraps from node1 only (--bootnodes node1, --nodial)', [
    ['learned', `node1 put node2 ${short(n2)} in its table (bucket ${inT1.bucket})`],
    ['from', "node2's PING and the endpoint proof (PING/PONG both ways)"],
    ['then', `node2's initial lookup through node1 finished, table size ${refreshed.size}`],
    ['took', `${ms(between(p2.startedAt, inT1))} after node2 was spawned`],
  ])

  // 3. node3 bootstraps from node1 and finds node2 in node1's NEIGHBORS.
  const p3 = node('node3', [], n1.enode)
  const n3 = await started(p3)
  const found = await p3.waitFor(
    'table node added',
    (l) => l.node === shortId(n2.id),
    stepTimeoutMs,
  )
  say.step("node3 bootstraps from node1 and finds node2 in node1's NEIGHBORS", [
    ['learned', `node2 ${short(n2)} at ${found.addr} (bucket ${found.bucket})`],
    ['from', "node1's NEIGHBORS reply to node3's FINDNODE: node3's only contact was node1"],
    ['took', `${ms(between(p3.startedAt, found))} after node3 was spawned`],
  ])
  const dialed = await p3.waitFor(
    'peer added',
    (l) => l.peer === shortId(n2.id) && l.inbound === false,
    stepTimeoutMs,
  )
  say.step('node3 dials node2: RLPx handshake (ECIES auth/ack) and the devp2p hello', [
    ['learned', `node2 runs ${dialed.client}, caps ${(dialed.caps as string[]).join(', ')}`],
    ['from', `node2 itself, over TCP ${dialed.addr}`],
    ['took', `${ms(between(found, dialed))} after node3 learned node2's address`],
  ])

  // 4. eth Status.
  const eth3 = await p3.waitFor('eth peer registered', (l) => l.peer === shortId(n2.id))
  const eth2 = await p2.waitFor('eth peer registered', (l) => l.peer === shortId(n3.id))
  say.step('eth Status exchanged both ways', [
    [
      'learned',
      `node2 speaks eth/${eth3.eth}, head #${eth3.number} ${String(eth3.head).slice(0, 12)}…`,
    ],
    ['and', `node2 registered node3 with eth/${eth2.eth}, head #${eth2.number}`],
    ['took', `${ms(between(dialed, eth3))} after the hello`],
  ])

  // 5. ping/1 RTTs: the health tracker's samples (no log line per ping: its endpoint says it).
  const rtt3 = await firstRtt(await healthUrl(p3), n2.id, p3)
  const rtt2 = await firstRtt(await healthUrl(p2), n3.id, p2)
  say.step('ping/1 round trips', [
    [
      'learned',
      `node3 → node2 ${rtt3.rtt.last?.toFixed(2)} ms, node2 → node3 ${rtt2.rtt.last?.toFixed(2)} ms`,
    ],
    ['from', "each node's ping/1 protocol (its /health/peers endpoint)"],
    ['state', `node3 sees node2 ${rtt3.state}, node2 sees node3 ${rtt2.state}`],
  ])

  // 6. Heartbeats.
  const joined: string[] = []
  for (const [name, n] of [
    ['node1', n1],
    ['node2', n2],
    ['node3', n3],
  ] as const) {
    const l = await agg.waitFor('node joined', (x) => x.node === shortId(n.id), stepTimeoutMs)
    joined.push(`${name} (${ms(between(n.line, l))} after its "node started")`)
  }
  const view = await getJson<{
    nodes: { nickname: string; lastBeat: { height: number; peerCount: number } }[]
  }>(`${aggApi}/nodes`)
  say.step('heartbeats arrive at the aggregator (heartbeat/1 over RLPx)', [
    ['learned', joined.join(', ')],
    ['from', 'signed heartbeat records, one per node per second'],
    [
      'now',
      view.nodes
        .map((n) => `${n.nickname} height ${n.lastBeat.height} peers ${n.lastBeat.peerCount}`)
        .join('; '),
    ],
  ])

  // 7. node2 killed.
  const killedAt = Date.now()
  await p2.stop('SIGKILL')
  const dropped = await p3.waitFor('peer dropped', (l) => l.peer === shortId(n2.id), stepTimeoutMs)
  const unhealthy = await p3.waitLine(
    (l) => l.msg === 'peer health changed' && l.peer === shortId(n2.id) && l.state === 'unhealthy',
    "node2's health change",
    stepTimeoutMs,
  )
  say.step("node2 is killed (SIGKILL): node3's health check notices", [
    [
      'learned',
      `the link broke: peer dropped (${dropped.reason}); health ${unhealthy.previous} → unhealthy (${unhealthy.lastFailure ?? unhealthy.reason})`,
    ],
    ['from', "node3's RLPx read loop and its liveness monitor"],
    ['took', ms(between(killedAt, dropped))],
  ])
  const silent = await agg.waitLine(isAlert('silent', n2), "node2's silence alert", stepTimeoutMs)
  say.step("the aggregator's silence alert fires", [
    ['learned', String(silent.msg)],
    ['from', `no heartbeat from node2 for 3 periods (${3 * beatMs} ms) since its last beat`],
    ['took', `${ms(between(killedAt, silent))} after the kill`],
  ])

  // 8. node2 returns with the same key.
  p2 = node('node2', node2Args, n1.enode)
  const back = await started(p2)
  if (back.id !== n2.id) throw new DemoError('ERR_STEP_FAILED', 'node2 came back with another key')
  const recovered = await agg.waitLine(isAlert('recovered', n2), "node2's recovery", stepTimeoutMs)
  say.step('node2 returns on its datadir, with the same key', [
    ['learned', `same node ID ${short(back)}; aggregator: ${recovered.msg}`],
    ['took', `${ms(between(back.line, recovered))} from start to its first heartbeat`],
  ])
  const again = await p3.waitLine(
    (l) => l.msg === 'peer added' && l.peer === shortId(n2.id) && l.t > back.line.t,
    'node2 found again',
    stepTimeoutMs,
  )
  say.step('node2 is found again: node3 reconnects', [
    [
      'learned',
      `${again.inbound ? 'node2 dialed node3' : 'node3 redialed node2'} at ${again.addr}`,
    ],
    ['from', "node3's discovery table: the same node ID, at node2's new port"],
    [
      'took',
      `${ms(between(back.line, again))} after node2 restarted (the dialer waits 35 s before redialing a node)`,
    ],
  ])
}

const isAlert = (kind: string, n: Started) => (l: LogLine) =>
  l.msg.startsWith('alert:') && l.kind === kind && l.node === shortId(n.id)

/** Polls `/health/peers` until `id` has an RTT sample: no log line reports each ping. */
async function firstRtt(url: string, id: string, p: NodeProcess): Promise<PeerHealthView> {
  const deadline = Date.now() + stepTimeoutMs
  while (Date.now() < deadline && p.running) {
    const { peers } = await getJson<{ peers: PeerHealthView[] }>(`${url}/health/peers`)
    const peer = peers.find((x) => x.id === id)
    if (peer && peer.rtt.samples > 0) return peer
    // One log line passes (pings and heads are logged at debug) before asking again.
    await p.nextLine(stepTimeoutMs)
  }
  throw new DemoError('ERR_STEP_FAILED', `no ping/1 RTT for ${shortId(id)}`)
}
