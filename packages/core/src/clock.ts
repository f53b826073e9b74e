/** An opaque timer handle of a Clock. */
export type TimerHandle = { readonly __timer: unique symbol } | object

/**
 * Time as components see it: injected so tests run in virtual time. `now()` is wall-clock
 * milliseconds since the epoch (discv4 expirations are wall-clock). Timers are unref'd in the
 * system clock: a component's timers never keep a process alive on their own.
 */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms)
    t.unref()
    return t
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>)
  },
}

/**
 * Resolves after `ms` on `clock`, or rejects with the signal's reason when aborted. The abort
 * listener is removed either way.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => {
      clock.clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
