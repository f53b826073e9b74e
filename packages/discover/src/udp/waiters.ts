import type { Clock, TimerHandle } from '@x/core'

/** The key a bond waiter of node `idHex` at `ip` is woken by. */
export function bondKey(idHex: string, ip: string): string {
  return `${idHex}|${ip}`
}

/**
 * Bond waiters: after our Ping is answered, `findnode` waits (up to the response timeout) for
 * the remote's Ping back, so the remote has our endpoint proof before we query it
 * (go-ethereum's ensureBond sleeps for that time; we wake up as soon as the Ping arrives).
 * Bounded: beyond `limit` keys, waits end immediately.
 */
export class PingWaiters {
  readonly #byKey = new Map<string, Set<() => void>>()
  readonly #clock: Clock
  readonly #limit: number

  constructor(clock: Clock, limit: number) {
    this.#clock = clock
    this.#limit = limit
  }

  /** Resolves when `wake(key)` is called, after `timeoutMs`, or on abort. Never rejects. */
  wait(key: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted || this.#byKey.size >= this.#limit) {
        resolve()
        return
      }
      let set = this.#byKey.get(key)
      if (!set) {
        set = new Set()
        this.#byKey.set(key, set)
      }
      const waiters = set
      let timer: TimerHandle | undefined
      const done = () => {
        if (timer !== undefined) this.#clock.clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        waiters.delete(done)
        if (waiters.size === 0 && this.#byKey.get(key) === waiters) this.#byKey.delete(key)
        resolve()
      }
      waiters.add(done)
      timer = this.#clock.setTimeout(done, timeoutMs)
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  wake(key: string): void {
    const set = this.#byKey.get(key)
    if (set) for (const w of [...set]) w()
  }

  /** Ends every wait (on close). */
  wakeAll(): void {
    for (const key of [...this.#byKey.keys()]) this.wake(key)
  }
}
