import { Resolver } from 'node:dns/promises'
import { type Clock, TimeoutError } from '@x/core'

/**
 * TXT lookups, injected (go-ethereum's `dnsdisc.Resolver`): every record of `name`, each with
 * its character-strings joined, as `LookupTXT` gives them. Rejects when `signal` aborts.
 */
export type TxtResolver = (name: string, options: { signal: AbortSignal }) => Promise<string[]>

export interface SystemTxtResolverOptions {
  /**
   * DNS servers (`ip` or `ip:port`) instead of the system's (tests use a server on
   * 127.0.0.1).
   */
  servers?: readonly string[]
}

/** TXT lookups through node:dns (c-ares), one cancellable resolver per lookup. */
export function systemTxtResolver(options: SystemTxtResolverOptions = {}): TxtResolver {
  return async (name, { signal }) => {
    signal.throwIfAborted()
    const r = new Resolver({ timeout: -1, tries: 1 })
    if (options.servers) r.setServers([...options.servers])
    const cancel = () => r.cancel()
    signal.addEventListener('abort', cancel, { once: true })
    try {
      const records = await r.resolveTxt(name)
      return records.map((chunks) => chunks.join(''))
    } finally {
      signal.removeEventListener('abort', cancel)
    }
  }
}

/**
 * Runs `fn` with a signal that aborts after `ms` on `clock` or when `signal` does, and settles
 * by then even if `fn` ignores its signal: a resolver can never hold its caller. Rejects with
 * TimeoutError on timeout, with the abort reason on abort.
 */
export function withDeadline<T>(
  clock: Clock,
  ms: number,
  signal: AbortSignal,
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  signal.throwIfAborted()
  const ac = new AbortController()
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      clock.clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
    const onAbort = () => {
      done()
      ac.abort(signal.reason)
      reject(signal.reason)
    }
    const timer = clock.setTimeout(() => {
      done()
      const e = new TimeoutError(`${what} timed out after ${ms} ms`)
      ac.abort(e)
      reject(e)
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
    fn(ac.signal).then(
      (v) => {
        done()
        resolve(v)
      },
      (e: unknown) => {
        done()
        reject(e)
      },
    )
  })
}
