import type { Msg, MsgReader } from './message.js'

/**
 * The messages of `r`, one at a time, until `signal` aborts: then the pending read is abandoned
 * and the iteration ends by throwing the abort reason (a protocol's `run` catches it and returns
 * when `signal.aborted`). A read error ends it the same way. The abort listener is removed when
 * the loop ends, however it ends.
 *
 * ```ts
 * for await (const msg of readMsgs(rw, peer.signal)) handle(msg)
 * ```
 */
export async function* readMsgs(r: MsgReader, signal: AbortSignal): AsyncGenerator<Msg, never> {
  let cleanup = () => {}
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    cleanup = () => signal.removeEventListener('abort', onAbort)
  })
  aborted.catch(() => {})
  try {
    for (;;) yield await Promise.race([r.readMsg(), aborted])
  } finally {
    cleanup()
  }
}
