import type { Clock, TimerHandle } from '@x/core'
import { flush } from '@x/core/testing'

interface SimTimer {
  at: number
  seq: number
  fn: (() => void) | undefined
}

const before = (a: SimTimer, b: SimTimer) => a.at < b.at || (a.at === b.at && a.seq < b.seq)

/**
 * The simulator's virtual clock: `ManualClock`'s semantics (time moves only in `advance`, timers
 * fire in time order, ties in creation order, promises settle in between) on a binary heap, so
 * a thousand nodes with their timers and in-flight packets stay O(log n) per timer. All timers
 * due at one instant fire together, then pending promise callbacks run once (one macrotask per
 * distinct instant, not per timer). Cleared timers are dropped lazily when they reach the top.
 */
export class SimClock implements Clock {
  #now: number
  #seq = 0
  readonly #heap: SimTimer[] = []
  #live = 0
  /** Timers fired so far (simulation statistics). */
  fired = 0

  constructor(start = 1_700_000_000_000) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  /** Timers scheduled and not yet fired or cleared. */
  get pending(): number {
    return this.#live
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: SimTimer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn }
    this.#push(t)
    this.#live++
    return t
  }

  clearTimeout(handle: TimerHandle): void {
    const t = handle as SimTimer
    if (t.fn) {
      t.fn = undefined
      this.#live--
      // Most timers are request timeouts cleared by the reply: once cleared ones outnumber
      // live ones, rebuild the heap without them (amortised O(1) per timer).
      if (this.#heap.length > 1024 && this.#heap.length > 2 * this.#live) this.#compact()
    }
  }

  /** The time of the next live timer, if any. */
  nextAt(): number | undefined {
    this.#dropCleared()
    return this.#heap[0]?.at
  }

  /** Moves time forward by `ms`, firing due timers instant by instant, settling promises between. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms
    await flush()
    for (let at = this.nextAt(); at !== undefined && at <= target; at = this.nextAt()) {
      this.#now = Math.max(this.#now, at)
      // Timers set while this instant's batch runs (delay 0) wait for the flush, as in ManualClock.
      const batch = this.#seq
      while (
        this.#heap.length > 0 &&
        this.#heap[0]!.at <= this.#now &&
        this.#heap[0]!.seq < batch
      ) {
        const t = this.#pop()
        const fn = t.fn
        if (!fn) continue
        t.fn = undefined
        this.#live--
        this.fired++
        fn()
      }
      await flush()
    }
    this.#now = Math.max(this.#now, target)
    await flush()
  }

  #compact(): void {
    const h = this.#heap
    let n = 0
    for (const t of h) if (t.fn) h[n++] = t
    h.length = n
    for (let i = (n >> 1) - 1; i >= 0; i--) this.#siftDown(i)
  }

  #siftDown(start: number): void {
    const h = this.#heap
    const t = h[start]!
    let i = start
    for (;;) {
      const l = 2 * i + 1
      if (l >= h.length) break
      const r = l + 1
      const c = r < h.length && before(h[r]!, h[l]!) ? r : l
      if (!before(h[c]!, t)) break
      h[i] = h[c]!
      i = c
    }
    h[i] = t
  }

  #dropCleared(): void {
    while (this.#heap.length > 0 && !this.#heap[0]!.fn) this.#pop()
  }

  #push(t: SimTimer): void {
    const h = this.#heap
    h.push(t)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(t, h[p]!)) break
      h[i] = h[p]!
      i = p
    }
    h[i] = t
  }

  #pop(): SimTimer {
    const h = this.#heap
    const top = h[0]!
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      this.#siftDown(0)
    }
    return top
  }
}
