/** The resource kinds a test may leak: sockets, listeners and timers. */
const watched = ['TCPSocketWrap', 'TCPServerWrap', 'UDPWrap', 'Timeout', 'TCPConnectWrap']

/** How many of each watched kind are active now (`process.getActiveResourcesInfo`). */
export function countHandles(): Record<string, number> {
  const n: Record<string, number> = {}
  for (const k of watched) n[k] = 0
  for (const r of process.getActiveResourcesInfo()) if (r in n) n[r] = (n[r] as number) + 1
  return n
}

/** The watched kinds active beyond `base` (a {@link countHandles} reading), by kind. */
export function handleLeaks(base: Record<string, number>): Record<string, number> {
  const now = countHandles()
  const out: Record<string, number> = {}
  for (const k of watched) {
    const extra = (now[k] as number) - (base[k] as number)
    if (extra > 0) out[k] = extra
  }
  return out
}

/**
 * {@link handleLeaks} once closed handles had time to go: they leave the active list on a later
 * turn of the event loop, so up to 200 turns pass while any remain.
 */
export async function settledHandleLeaks(
  base: Record<string, number>,
): Promise<Record<string, number>> {
  for (let i = 0; i < 200 && Object.keys(handleLeaks(base)).length > 0; i++) {
    await new Promise<void>((r) => setImmediate(r))
  }
  return handleLeaks(base)
}
