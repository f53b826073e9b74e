import type { Protocol } from '../src/index.js'

/** A trivial capability so that peers have something to share (else: useless peer). */
export const demo: Protocol = {
  name: 'demo',
  version: 1,
  length: 1,
  run: (_peer, rw, signal) =>
    new Promise<void>((resolve) => {
      signal.addEventListener('abort', () => resolve(), { once: true })
      void rw.readMsg().catch(() => resolve())
    }),
}
