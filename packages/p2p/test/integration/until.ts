import { setMaxListeners } from 'node:events'
import type { Server } from '../../src/index.js'

/**
 * Resolves when `cond()` holds, re-checked on every peer event of `watched` (no polling);
 * rejects after `ms` with `describe()` in the message.
 */
export function until(
  watched: readonly Server[],
  cond: () => boolean,
  ms: number,
  describe: () => string = () => '',
): Promise<void> {
  return new Promise((resolve, reject) => {
    const ac = new AbortController()
    setMaxListeners(2 * watched.length + 1, ac.signal)
    const timer = setTimeout(() => {
      ac.abort()
      reject(new Error(`condition not reached in ${ms} ms ${describe()}`))
    }, ms)
    const check = () => {
      if (!cond()) return
      clearTimeout(timer)
      ac.abort()
      resolve()
    }
    for (const s of watched) {
      s.addEventListener('peer:added', check, { signal: ac.signal })
      s.addEventListener('peer:removed', check, { signal: ac.signal })
    }
    check()
  })
}
