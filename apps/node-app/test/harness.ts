import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach } from 'vitest'

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))

export interface AppLine {
  level: string
  msg: string
  [field: string]: unknown
}

/** A node-app child process whose JSON log lines can be awaited. */
export class App {
  readonly proc: ChildProcessWithoutNullStreams
  readonly lines: AppLine[] = []
  stderr = ''
  #waiters: { pred: (l: AppLine) => boolean; resolve: (l: AppLine) => void }[] = []

  /**
   * `prefix` runs node through another command, e.g. `ip netns exec <ns>` (which execs it);
   * `env` adds variables to the child's environment.
   */
  constructor(args: string[], prefix: readonly string[] = [], env: Record<string, string> = {}) {
    const [cmd = process.execPath, ...pre] = [...prefix, process.execPath]
    this.proc = spawn(cmd, [...pre, main, ...args], {
      stdio: 'pipe',
      env: { ...process.env, ...env },
    })
    let buf = ''
    this.proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const text = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        let line: AppLine
        try {
          line = JSON.parse(text) as AppLine
        } catch {
          continue
        }
        this.lines.push(line)
        this.#waiters = this.#waiters.filter((w) => {
          if (!w.pred(line)) return true
          w.resolve(line)
          return false
        })
      }
    })
    this.proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk
    })
  }

  /** Resolves with the first log line (past or future) with this message; rejects if the process exits first. */
  waitFor(msg: string, pred: (l: AppLine) => boolean = () => true): Promise<AppLine> {
    const match = (l: AppLine) => l.msg === msg && pred(l)
    const seen = this.lines.find(match)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`node-app exited (${code}) before "${msg}"\n${this.stderr}`))
      this.proc.once('exit', onExit)
      this.#waiters.push({
        pred: match,
        resolve: (l) => {
          this.proc.off('exit', onExit)
          resolve(l)
        },
      })
    })
  }

  /** The peer count in the latest `peer added` / `peer dropped` line (0 before any). */
  get peers(): number {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const l = this.lines[i]
      if (l && (l.msg === 'peer added' || l.msg === 'peer dropped')) return Number(l.peers)
    }
    return 0
  }

  /** Peers we dialed that are still connected, from the `peer added` / `peer dropped` lines. */
  get dialed(): number {
    return this.dialedIds().size
  }

  /** The short ids (16 hex characters) of the connected peers we dialed. */
  dialedIds(): Set<string> {
    const out = new Set<string>()
    for (const l of this.lines) {
      if (l.msg === 'peer added' && l.inbound === false) out.add(String(l.peer))
      else if (l.msg === 'peer dropped' || l.msg === 'peer added') out.delete(String(l.peer))
    }
    return out
  }

  /** Resolves once `check()` holds: now, or after one of the next log lines; rejects on exit. */
  until(check: () => boolean, what: string): Promise<void> {
    if (check()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`node-app exited (${code}) before ${what}\n${this.stderr}`))
      this.proc.once('exit', onExit)
      this.#waiters.push({
        pred: () => check(),
        resolve: () => {
          this.proc.off('exit', onExit)
          resolve()
        },
      })
    })
  }

  /** Sends a signal and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return this.proc.exitCode
    const exited = once(this.proc, 'exit') as Promise<[number | null]>
    this.proc.kill(signal)
    const [code] = await exited
    return code
  }
}

/**
 * Resolves once `check(app)` holds for every app at the same moment (peers come and go, so
 * each reaching it in turn is not enough); rejects if one exits.
 */
export async function untilAll(apps: App[], check: (a: App) => boolean, what: string) {
  while (!apps.every(check)) {
    await Promise.race(apps.filter((a) => !check(a)).map((a) => a.until(() => check(a), what)))
  }
}

/** Node-apps of one test file, each test in a fresh temporary directory. */
export interface AppFixture {
  /** `<tmp>/<name>`: a datadir, or a file to write. */
  path(name: string): string
  /** Starts `node-app --datadir <tmp>/<name> --port 0 …args`. */
  spawn(name: string, ...args: string[]): App
  /** Starts `node-app …args`, exactly. */
  run(...args: string[]): App
  /** Starts `<prefix> node-app --datadir <tmp>/<name> …args` (e.g. in a network namespace). */
  spawnIn(prefix: readonly string[], name: string, ...args: string[]): App
}

/**
 * Registers the hooks that give each test its own temporary directory and, after it, kill every
 * app it started (SIGKILL, so nothing outlives a failed test) and remove the directory.
 */
export function appFixture(): AppFixture {
  let dir: string | undefined
  const apps: App[] = []
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'node-app-test-'))
  })
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.stop('SIGKILL')))
    if (dir) await rm(dir, { recursive: true, force: true })
  })
  const path = (name: string) => {
    if (!dir) throw new Error('appFixture: used outside a test')
    return join(dir, name)
  }
  const runIn = (prefix: readonly string[], args: string[]) => {
    const app = new App(args, prefix)
    apps.push(app)
    return app
  }
  const run = (...args: string[]) => runIn([], args)
  return {
    path,
    run,
    spawnIn: (prefix, name, ...args) => runIn(prefix, ['--datadir', path(name), ...args]),
    spawn: (name, ...args) => run('--datadir', path(name), '--port', '0', ...args),
  }
}
