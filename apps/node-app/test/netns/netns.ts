import { execFileSync, spawnSync } from 'node:child_process'

// Hosts in Linux network namespaces (`ip netns` + veth pairs + a bridge), for tests across hosts
// with their own addresses. Everything lives in namespaces this process made, the bridges
// included, so the machine's own network is never touched: no address, route or rule is added
// outside them, and no namespace has a route out of the sandbox. Namespaces are named
// `xn<pid>-<name>`; `close()` (also run on exit) deletes them, and `sweepStale()` deletes those
// of processes that died without it.

/** Why namespaces cannot be made here (not root, no `ip`, no permission), or undefined. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (process.getuid?.() !== 0) return 'network namespaces need root (run as root or in CI)'
  const ip = spawnSync('ip', ['-V'], { encoding: 'utf8' })
  if (ip.error || ip.status !== 0) return '`ip` (iproute2) is not installed'
  const probe = `xn${process.pid}-probe`
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' })
  if (add.status !== 0) return `cannot create a network namespace: ${add.stderr.trim()}`
  spawnSync('ip', ['netns', 'del', probe])
  return undefined
}

/** Whether `iptables` can be run (the NAT test needs it). */
export function iptablesAvailable(): boolean {
  const r = spawnSync('iptables', ['--version'], { encoding: 'utf8' })
  return !r.error && r.status === 0
}

/** True when the netns suites must run (CI sets X_REQUIRE_NETNS=1): a skip becomes a failure. */
export const netnsRequired = process.env.X_REQUIRE_NETNS === '1'

function run(args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    const e = err as { stderr?: string }
    throw new Error(`ip ${args.join(' ')}: ${e.stderr?.trim() ?? String(err)}`)
  }
}

/** Deletes namespaces left by test processes that are gone. */
export function sweepStale(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? ''
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? ''
    const m = /^xn(\d+)-/.exec(name)
    if (!m) continue
    const pid = Number(m[1])
    let alive = true
    try {
      process.kill(pid, 0)
    } catch {
      alive = false
    }
    if (!alive) spawnSync('ip', ['netns', 'del', name])
  }
}

/** A host: a namespace with one interface `eth0` on a switch (more for a router). */
export interface Host {
  readonly ns: string
  /** `ip netns exec <ns>`: put before a command to run it in the host. */
  readonly exec: readonly string[]
  /** The host's address on its first switch. */
  readonly ip: string
}

/**
 * A set of namespaces: switches (a namespace holding one bridge) and hosts attached to them by
 * veth pairs. Construct, add, `close()`; every namespace made is deleted by `close()`, which is
 * also registered for process exit so a crash or a failed assertion leaves nothing behind.
 */
export class Netns {
  readonly #names: string[] = []
  #veths = 0
  readonly #onExit = () => this.close()

  constructor() {
    process.once('exit', this.#onExit)
  }

  #ns(name: string): string {
    const ns = `xn${process.pid}-${name}`
    run(['netns', 'add', ns])
    this.#names.push(ns)
    run(['-n', ns, 'link', 'set', 'lo', 'up'])
    return ns
  }

  /** A switch: a namespace with bridge `br0`, up. Returns its namespace name. */
  addSwitch(name: string): string {
    const ns = this.#ns(name)
    run(['-n', ns, 'link', 'add', 'br0', 'type', 'bridge'])
    run(['-n', ns, 'link', 'set', 'br0', 'up'])
    return ns
  }

  /** A host on `sw` at `cidr` (e.g. 10.77.0.2/24), with a default route via `gateway` if given. */
  addHost(name: string, sw: string, cidr: string, gateway?: string): Host {
    const ns = this.#ns(name)
    this.attach(ns, sw, 'eth0', cidr)
    if (gateway) run(['-n', ns, 'route', 'add', 'default', 'via', gateway])
    return { ns, exec: ['ip', 'netns', 'exec', ns], ip: cidr.split('/')[0] ?? '' }
  }

  /** Plugs interface `dev` of namespace `ns` into switch `sw` with address `cidr`. */
  attach(ns: string, sw: string, dev: string, cidr: string): void {
    const port = `v${this.#veths++}`
    run(['-n', sw, 'link', 'add', port, 'type', 'veth', 'peer', 'name', dev, 'netns', ns])
    run(['-n', sw, 'link', 'set', port, 'master', 'br0', 'up'])
    run(['-n', ns, 'addr', 'add', cidr, 'dev', dev])
    run(['-n', ns, 'link', 'set', dev, 'up'])
  }

  /** Adds addresses (e.g. `10.77.1.5/32`) to `dev` in `ns`. */
  addAddresses(ns: string, dev: string, cidrs: readonly string[]): void {
    for (const c of cidrs) run(['-n', ns, 'addr', 'add', c, 'dev', dev])
  }

  /** Runs a command in `ns` and returns its output (throws on failure). */
  exec(ns: string, cmd: string, args: readonly string[]): string {
    return run(['netns', 'exec', ns, cmd, ...args])
  }

  /** Kills what still runs in the namespaces (our children) and deletes them. Idempotent. */
  close(): void {
    process.off('exit', this.#onExit)
    for (const ns of this.#names.splice(0).reverse()) {
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? ''
      for (const pid of pids.split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {}
      }
      spawnSync('ip', ['netns', 'del', ns])
    }
  }
}

/**
 * Why this suite cannot run here, or undefined when it can. When namespaces cannot be made and
 * X_REQUIRE_NETNS=1 is set, the caller turns this into a failing test instead of a skip.
 */
export function netnsSkipReason(options: { iptables?: boolean } = {}): string | undefined {
  const why = netnsUnavailable()
  if (why) return why
  if (options.iptables && !iptablesAvailable()) return 'iptables is not installed'
  return undefined
}
