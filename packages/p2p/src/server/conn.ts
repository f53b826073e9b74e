import { type Clock, TimeoutError } from '@x/core'
import type { DisconnectReason } from '../errors.js'
import { disconnectCode, encodeDisconnect } from '../hello.js'
import type { Transport } from '../message.js'
import { disconnectWriteTimeout } from '../peer/peer.js'

/**
 * Runs `fn` with a signal that aborts when any of `signals` does or after `ms` on `clock`
 * (with a {@link TimeoutError}). Settles as soon as the signal aborts, even if `fn` ignores it;
 * a transport `fn` delivers after that is closed.
 */
export async function withTimeout(
  clock: Clock,
  ms: number,
  signals: readonly AbortSignal[],
  fn: (signal: AbortSignal) => Promise<Transport>,
): Promise<Transport> {
  const ac = new AbortController()
  const onAbort = (s: AbortSignal) => () => ac.abort(s.reason)
  const listeners = signals.map((s) => {
    const l = onAbort(s)
    if (s.aborted) l()
    else s.addEventListener('abort', l, { once: true })
    return l
  })
  const timer = clock.setTimeout(
    () => ac.abort(new TimeoutError(`connection setup timed out after ${ms} ms`)),
    ms,
  )
  let onStop: (() => void) | undefined
  const stopped = new Promise<never>((_, reject) => {
    onStop = () => reject(ac.signal.reason)
    if (ac.signal.aborted) onStop()
    else ac.signal.addEventListener('abort', onStop, { once: true })
  })
  stopped.catch(() => {})
  const work = ac.signal.aborted ? Promise.reject(ac.signal.reason) : fn(ac.signal)
  work.then(
    (t) => {
      if (ac.signal.aborted) t.close()
    },
    () => {},
  )
  try {
    return await Promise.race([work, stopped])
  } finally {
    clock.clearTimeout(timer)
    for (const [i, s] of signals.entries()) {
      s.removeEventListener('abort', listeners[i] as () => void)
    }
    if (onStop) ac.signal.removeEventListener('abort', onStop)
  }
}

/** Sends a Disconnect with `reason` (best effort, bounded in time) and closes the link. */
export async function rejectConn(
  clock: Clock,
  transport: Transport,
  reason: DisconnectReason,
): Promise<void> {
  let timer: ReturnType<Clock['setTimeout']> | undefined
  const timeout = new Promise<void>((resolve) => {
    timer = clock.setTimeout(resolve, disconnectWriteTimeout)
  })
  await Promise.race([
    transport.writeMsg(disconnectCode, encodeDisconnect(reason)).catch(() => {}),
    timeout,
  ])
  if (timer !== undefined) clock.clearTimeout(timer)
  transport.close()
}
