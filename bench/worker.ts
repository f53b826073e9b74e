// Benchmarks whose two ends must not share a process (sender and receiver, client and server)
// run each end as a child process: `spawnWorker(file, args)` forks `file` under tsx with an IPC
// channel; the child calls `serveWorker(handlers)`. Calls are request/response (`call(cmd,
// arg)`); a child may also `emit(event, data)` to the parent. Messages use the structured-clone
// serialization, so Uint8Arrays cross as they are.
import { type ChildProcess, fork } from 'node:child_process'

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string }
type Event = { event: string; data: unknown }
type Request = { id: number; cmd: string; arg: unknown }

export interface Worker {
  readonly pid: number
  call<T = unknown>(cmd: string, arg?: unknown): Promise<T>
  /** Calls `fn` with the data of each `event` the child emits. */
  on(event: string, fn: (data: unknown) => void): void
  /** Asks the child to stop (its `stop` handler, if any), then waits for it to exit. */
  stop(): Promise<void>
}

const tsx = import.meta.resolve('tsx')

/** Forks `file` (a .ts module calling `serveWorker`) and waits until it is ready. */
export async function spawnWorker(file: string, args: string[] = []): Promise<Worker> {
  const child: ChildProcess = fork(file, args, {
    execArgv: ['--expose-gc', '--import', tsx],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: process.env,
  })
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  const listeners = new Map<string, ((data: unknown) => void)[]>()
  let nextId = 1
  let exited = false
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true
      for (const p of pending.values())
        p.reject(new Error(`worker ${file} exited (${code ?? signal}) during a call`))
      pending.clear()
      resolve()
    })
  })
  const ready = new Promise<void>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`worker ${file} exited (${code}) at start`)))
    child.on('message', (m: Reply | Event | 'ready') => {
      if (m === 'ready') return resolve()
      if ('event' in m) {
        for (const fn of listeners.get(m.event) ?? []) fn(m.data)
        return
      }
      const p = pending.get(m.id)
      if (!p) return
      pending.delete(m.id)
      if (m.ok) p.resolve(m.value)
      else p.reject(new Error(m.error))
    })
  })
  await ready
  return {
    pid: child.pid ?? 0,
    call<T>(cmd: string, arg?: unknown): Promise<T> {
      if (exited) return Promise.reject(new Error(`worker ${file} has exited`))
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        child.send({ id, cmd, arg } satisfies Request)
      })
    },
    on(event, fn) {
      listeners.set(event, [...(listeners.get(event) ?? []), fn])
    },
    async stop() {
      if (exited) return
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      try {
        child.send({ id: 0, cmd: '__stop', arg: undefined } satisfies Request)
      } catch {
        child.kill('SIGKILL')
      }
      await exit
      clearTimeout(timer)
    },
  }
}

export type Handlers = Record<string, (arg: never) => unknown>

/** The child side: answers the parent's calls with `handlers`; `stop` runs before exiting. */
export function serveWorker(handlers: Handlers & { stop?: () => unknown }): void {
  const send = process.send?.bind(process)
  if (!send) throw new Error('serveWorker: not started by spawnWorker (no IPC channel)')
  process.on('message', async (m: Request) => {
    if (m.cmd === '__stop') {
      try {
        await handlers.stop?.()
      } finally {
        process.exit(0)
      }
    }
    const fn = handlers[m.cmd]
    try {
      if (!fn) throw new Error(`unknown worker command ${m.cmd}`)
      send({ id: m.id, ok: true, value: await fn(m.arg as never) } satisfies Reply)
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error)
      send({ id: m.id, ok: false, error: text } satisfies Reply)
    }
  })
  send('ready')
}

/** From a worker: tells the parent that `event` happened. */
export function emit(event: string, data?: unknown): void {
  process.send?.({ event, data } satisfies Event)
}

/** Heap and RSS after letting closed handles finish and collecting garbage (needs --expose-gc). */
export async function settledMemory(): Promise<{
  rss: number
  heapUsed: number
  external: number
}> {
  const gc = (globalThis as { gc?: () => void }).gc
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 100))
    gc?.()
  }
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external }
}
