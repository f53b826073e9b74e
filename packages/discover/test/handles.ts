import { afterAll, beforeAll, expect } from 'vitest'

/** The resource kinds a p2p test may leak: sockets, listeners and timers. */
const watched = ['TCPSocketWrap', 'TCPServerWrap', 'UDPWrap', 'Timeout', 'TCPConnectWrap']

function count(): Record<string, number> {
  const n: Record<string, number> = {}
  for (const k of watched) n[k] = 0
  for (const r of process.getActiveResourcesInfo()) if (r in n) n[r] = (n[r] as number) + 1
  return n
}

function leaks(base: Record<string, number>): Record<string, number> {
  const now = count()
  const out: Record<string, number> = {}
  for (const k of watched) {
    const extra = (now[k] as number) - (base[k] as number)
    if (extra > 0) out[k] = extra
  }
  return out
}

/**
 * Registers hooks asserting that the file's tests leave no socket, listener or timer behind
 * (compared with what was active before the first test). Closed handles leave the active list
 * on a later turn of the event loop, so the check lets a bounded number of turns pass first.
 */
export function expectNoLeakedHandles(): void {
  let base: Record<string, number> = {}
  beforeAll(() => {
    base = count()
  })
  afterAll(async () => {
    for (let i = 0; i < 200 && Object.keys(leaks(base)).length > 0; i++) {
      await new Promise<void>((r) => setImmediate(r))
    }
    expect({ leaked: leaks(base), active: process.getActiveResourcesInfo() }).toEqual({
      leaked: {},
      active: expect.anything(),
    })
  })
}
