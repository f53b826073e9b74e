import { afterEach } from 'vitest'

export type Cleanup = () => Promise<void> | void

/**
 * Registers an `afterEach` that runs, newest first, every cleanup a test pushed on the returned
 * list (sockets, listeners, servers, timers). Call once at the top of a test file.
 */
export function useCleanups(): Cleanup[] {
  const cleanups: Cleanup[] = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })
  return cleanups
}
