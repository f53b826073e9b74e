import type { Clock, TimerHandle } from '../clock.js'

interface Timer {
  at: number
  seq: number
  fn: () => void
}

/**
 * A virtual clock for tests: time moves only when the test calls `advance`. Timers fire in time
 * order (ties in creation order), and pending promise callbacks run between timers, so code that
 * awaits between timers behaves as it would in real time.
 */
export class ManualClock implements Clock {
  #now: number
  #seq = 0
  readonly #timers = new Set<Timer>()

  constructor(start = 1_700_000_000_000) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn }
    this.#timers.add(t)
    return t
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as Timer)
  }

  /** Number of pending timers (tests assert components clean theirs up). */
  get pending(): number {
    return this.#timers.size
  }

  #next(limit: number): Timer | undefined {
    let best: Timer | undefined
    for (const t of this.#timers) {
      if (t.at > limit) continue
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t
    }
    return best
  }

  /** Moves time forward by `ms`, firing due timers in order and settling promises in between. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms
    await flush()
    for (let t = this.#next(target); t; t = this.#next(target)) {
      this.#timers.delete(t)
      this.#now = Math.max(this.#now, t.at)
      t.fn()
      await flush()
    }
    this.#now = target
    await flush()
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
