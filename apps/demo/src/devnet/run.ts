import { fileURLToPath } from 'node:url'
import type { DemoConfig } from '../config.js'
import { DemoError } from '../errors.js'
import { Collector } from './collector.js'
import { Devnet } from './devnet.js'
import { type Control, DashboardServer } from './server.js'
import type { AlertEntry } from './snapshot.js'

/** The built page, next to dist/main.js. */
const webRoot = fileURLToPath(new URL('./web', import.meta.url))
/** Fastest push rate to the page when things change between polls. */
const minPushGapMs = 250

type Write = (text: string) => void

/** Runs the devnet and its dashboard until `signal` aborts; resolves with the exit code. */
export async function runDevnet(
  config: Extract<DemoConfig, { mode: 'devnet' }>,
  write: Write,
  signal: AbortSignal,
): Promise<number> {
  const devnet = new Devnet({ nodes: config.nodes, beatMs: config.beatMs })
  const collector = new Collector(devnet)
  const server = new DashboardServer({
    root: webRoot,
    port: config.port,
    snapshot: (full) => collector.snapshot(full),
    control: (c) => control(devnet, c),
  })
  const pollMs = config.nodes > 20 ? 2_000 : 1_000
  let timer: ReturnType<typeof setTimeout> | undefined
  let pushTimer: ReturnType<typeof setTimeout> | undefined
  const milestones = watchMilestones(devnet, write)
  devnet.addEventListener('change', () => {
    milestones()
    pushTimer ??= setTimeout(() => {
      pushTimer = undefined
      server.push()
    }, minPushGapMs)
  })
  try {
    const url = await server.start()
    write(`dashboard: ${url}\n`)
    write(`starting ${config.nodes} node-apps and an aggregator…\n`)
    await Promise.race([devnet.start(), aborted(signal)])
    write(`all ${config.nodes} nodes started after ${secs(Date.now() - devnet.startedAt)}\n`)
    const poll = async () => {
      await collector.tick()
      server.push()
      if (!signal.aborted) timer = setTimeout(poll, pollMs)
    }
    await poll()
    await aborted(signal).catch(() => {})
    return 0
  } catch (err) {
    if (signal.aborted) return 0
    write(`demo: ${(err as Error).message}\n`)
    return 1
  } finally {
    clearTimeout(timer)
    clearTimeout(pushTimer)
    write('stopping…\n')
    await server.stop()
    await devnet.stop()
  }
}

function control(devnet: Devnet, c: Control): Promise<unknown> {
  switch (c?.op) {
    case 'stop':
      return devnet.stopNode(String(c.node))
    case 'restart':
      return devnet.restartNode(String(c.node))
    case 'add':
      return devnet.addNode().then((m) => m.name)
    case 'partition':
      return devnet.partition(String(c.a), String(c.b))
    case 'heal':
      return devnet.heal(String(c.a), String(c.b))
    default:
      return Promise.reject(
        new DemoError('ERR_BAD_CONTROL', 'op must be stop, restart, add, partition or heal'),
      )
  }
}

/** Prints when the mesh is first complete, and every alert as it fires or clears. */
function watchMilestones(devnet: Devnet, write: Write): () => void {
  let mesh = false
  let alert = false
  let last: AlertEntry | undefined
  return () => {
    if (!mesh && devnet.fullMeshAt !== undefined) {
      mesh = true
      const n = devnet.running().length
      write(
        `full mesh: ${n} nodes, ${(n * (n - 1)) / 2} RLPx links, ${secs(devnet.fullMeshAt - devnet.startedAt)} after start\n`,
      )
    }
    const from = last ? devnet.alerts.indexOf(last) + 1 : 0
    for (const a of devnet.alerts.slice(from)) {
      const first = !alert
      alert = true
      write(
        `${first ? 'first alert' : 'alert'}: ${a.nickname} ${a.kind} (${a.message}), ${secs(a.at - devnet.startedAt)} after start\n`,
      )
    }
    last = devnet.alerts.at(-1) ?? last
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new DemoError('ERR_STEP_FAILED', 'interrupted'))
    if (signal.aborted) fail()
    else signal.addEventListener('abort', fail, { once: true })
  })
}
