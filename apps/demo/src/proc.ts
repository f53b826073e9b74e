import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { DemoError } from './errors.js'

/** node-app's entry point, from the workspace package (built by `turbo run build`). */
export const nodeAppMain = join(
  dirname(createRequire(import.meta.url).resolve('node-app/package.json')),
  'dist/main.js',
)

/** One JSON log line of a node-app (`t`, `level`, `msg` and the fields). */
export interface LogLine {
  t: string
  level: string
  msg: string
  [field: string]: unknown
}

/** Log lines kept per process; older ones are dropped first (waiters see every line live). */
export const maxKeptLines = 2_000
/** Bytes of stderr kept per process, for error messages. */
const maxStderr = 8_192
/** A line longer than this is no log line of ours: dropped. */
const maxLineLength = 65_536

interface Waiter {
  pred: (l: LogLine) => boolean
  resolve: (l: LogLine) => void
  reject: (e: Error) => void
}

/**
 * A node-app child process whose JSON log lines can be read and awaited. Spawned by the
 * constructor's caller through `NodeProcess.spawn`; `stop()` ends it (SIGTERM, then SIGKILL
 * after `killAfterMs`) and resolves once it has exited.
 */
export class NodeProcess {
  readonly name: string
  readonly args: readonly string[]
  readonly lines: LogLine[] = []
  readonly startedAt = Date.now()
  #proc: ChildProcessWithoutNullStreams
  #stderr = ''
  #waiters: Waiter[] = []
  #exited: Promise<number | null>
  #listeners = new Set<(l: LogLine) => void>()

  private constructor(name: string, args: readonly string[]) {
    this.name = name
    this.args = args
    this.#proc = spawn(process.execPath, [nodeAppMain, ...args], { stdio: 'pipe' })
    this.#exited = once(this.#proc, 'exit').then(([code]) => code as number | null)
    this.#exited.then((code) => {
      const err = new DemoError(
        'ERR_NODE_EXITED',
        `${name} exited (${code}): ${this.#stderr.trim().split('\n').slice(-3).join(' | ')}`,
      )
      for (const w of this.#waiters.splice(0)) w.reject(err)
    })
    let buf = ''
    this.#proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        this.#line(buf.slice(0, nl))
        buf = buf.slice(nl + 1)
      }
      if (buf.length > maxLineLength) buf = ''
    })
    this.#proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-maxStderr)
    })
  }

  /** Starts `node-app …args`. */
  static spawn(name: string, args: readonly string[]): NodeProcess {
    return new NodeProcess(name, args)
  }

  /** Resolves with the exit code once the process has exited. */
  get exited(): Promise<number | null> {
    return this.#exited
  }

  get pid(): number | undefined {
    return this.#proc.pid
  }

  get running(): boolean {
    return this.#proc.exitCode === null && this.#proc.signalCode === null
  }

  get stderr(): string {
    return this.#stderr
  }

  /** Calls `fn` with every later line until the returned function is called. */
  onLine(fn: (l: LogLine) => void): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  /**
   * The first kept line (or the next one) with this message that satisfies `pred`; rejects with
   * ERR_NODE_EXITED if the process exits first, with ERR_TIMEOUT after `timeoutMs`.
   */
  waitFor(
    msg: string,
    pred: (l: LogLine) => boolean = () => true,
    timeoutMs = 60_000,
  ): Promise<LogLine> {
    return this.waitLine((l) => l.msg === msg && pred(l), `"${msg}"`, timeoutMs)
  }

  /** The first kept or next line satisfying `match`; `what` names it in the timeout error. */
  waitLine(match: (l: LogLine) => boolean, what: string, timeoutMs = 60_000): Promise<LogLine> {
    const seen = this.lines.find(match)
    if (seen) return Promise.resolve(seen)
    return this.#next(match, what, timeoutMs)
  }

  /** The next line the process writes (not a kept one). */
  nextLine(timeoutMs = 60_000): Promise<LogLine> {
    return this.#next(() => true, 'log line', timeoutMs)
  }

  #next(match: (l: LogLine) => boolean, what: string, timeoutMs: number): Promise<LogLine> {
    if (!this.running) {
      return Promise.reject(new DemoError('ERR_NODE_EXITED', `${this.name} is not running`))
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter)
        reject(new DemoError('ERR_TIMEOUT', `${this.name}: no ${what} within ${timeoutMs} ms`))
      }, timeoutMs)
      const waiter: Waiter = {
        pred: match,
        resolve: (l) => {
          clearTimeout(timer)
          resolve(l)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      }
      this.#waiters.push(waiter)
    })
  }

  /** Ends the process: `signal` (SIGTERM), then SIGKILL after `killAfterMs`. Resolves with the code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 5_000): Promise<number | null> {
    if (this.running) {
      this.#proc.kill(signal)
      const timer = setTimeout(() => this.#proc.kill('SIGKILL'), killAfterMs)
      await this.#exited.finally(() => clearTimeout(timer))
    }
    return this.#exited
  }

  #line(text: string): void {
    let line: LogLine
    try {
      line = JSON.parse(text) as LogLine
    } catch {
      return
    }
    if (typeof line !== 'object' || line === null || typeof line.msg !== 'string') return
    this.lines.push(line)
    if (this.lines.length > maxKeptLines) this.lines.splice(0, this.lines.length - maxKeptLines)
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.pred(line)) return true
      w.resolve(line)
      return false
    })
    for (const fn of this.#listeners) fn(line)
  }
}
