import type { Clock, TimerHandle } from '@x/core'
import { TimeoutError } from '@x/core'
import type { Packet } from '../wire/types.js'

/** What a matcher says about an incoming packet of its key. */
export type Step<T> =
  | undefined /* not mine */
  | { done: false } /* mine, want more */
  | { done: true; value: T }
  | { done: true; error: Error }

export interface ExpectOptions<T> {
  timeoutMs: number
  signal?: AbortSignal
  onPacket(packet: Packet, hash: Uint8Array): Step<T>
  /** What the request becomes on timeout: a value (partial answer) or an error. */
  onTimeout(): { value: T } | Error
}

interface Entry {
  key: string
  onPacket(packet: Packet, hash: Uint8Array): boolean
  fail(error: Error): void
}

/**
 * Reply matching (go-ethereum's `replyMatcher`): each outgoing request registers a matcher keyed
 * by (sender ID, sender IP, reply type); incoming replies are offered to the matchers of their
 * key. Bounded: beyond `limit` pending requests the oldest fails with a timeout.
 */
export class PendingReplies {
  readonly #byKey = new Map<string, Set<Entry>>()
  /** All entries in insertion order, for eviction. */
  readonly #all = new Set<Entry>()
  readonly #clock: Clock
  readonly #limit: number

  constructor(clock: Clock, limit: number) {
    this.#clock = clock
    this.#limit = limit
  }

  get size(): number {
    return this.#all.size
  }

  expect<T>(key: string, options: ExpectOptions<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const { signal } = options
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      let timer: TimerHandle | undefined
      const remove = () => {
        if (timer !== undefined) this.#clock.clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        this.#all.delete(entry)
        const set = this.#byKey.get(key)
        set?.delete(entry)
        if (set?.size === 0) this.#byKey.delete(key)
      }
      const onAbort = () => {
        remove()
        reject(signal?.reason)
      }
      const entry: Entry = {
        key,
        onPacket(packet, hash) {
          const step = options.onPacket(packet, hash)
          if (step === undefined) return false
          if (step.done) {
            remove()
            if ('error' in step) reject(step.error)
            else resolve(step.value)
          }
          return true
        },
        fail(error) {
          remove()
          reject(error)
        },
      }
      timer = this.#clock.setTimeout(() => {
        remove()
        const r = options.onTimeout()
        if (r instanceof Error) reject(r)
        else resolve(r.value)
      }, options.timeoutMs)
      signal?.addEventListener('abort', onAbort, { once: true })
      if (this.#all.size >= this.#limit) {
        const oldest = this.#all.values().next().value
        oldest?.fail(new TimeoutError('evicted: too many pending requests'))
      }
      this.#all.add(entry)
      let set = this.#byKey.get(key)
      if (!set) {
        set = new Set()
        this.#byKey.set(key, set)
      }
      set.add(entry)
    })
  }

  /** Offers a reply to the matchers of `key`; false when none wanted it (unsolicited). */
  dispatch(key: string, packet: Packet, hash: Uint8Array): boolean {
    const set = this.#byKey.get(key)
    if (!set) return false
    if (set.size === 1) {
      // The common case: one request per key. The entry may remove itself: nothing iterates on.
      for (const e of set) return e.onPacket(packet, hash)
    }
    let matched = false
    for (const e of [...set]) if (e.onPacket(packet, hash)) matched = true
    return matched
  }

  /** Fails every pending request (on close). */
  failAll(error: Error): void {
    for (const e of [...this.#all]) e.fail(error)
  }
}
