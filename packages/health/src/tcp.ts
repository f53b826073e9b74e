import { createConnection, type Socket } from 'node:net'
import { type Clock, systemClock } from '@x/core'
import { HealthError, type HealthErrorCode } from './errors.js'

/** Why an L4 check failed: the port is closed, nothing answered in time, or no route. */
export type TcpFailureKind = 'refused' | 'timeout' | 'unreachable'

/** The error code of each failure kind. */
export const tcpFailureCodes = {
  refused: 'ERR_CONNECT_REFUSED',
  timeout: 'ERR_CONNECT_TIMEOUT',
  unreachable: 'ERR_UNREACHABLE',
} as const satisfies Record<TcpFailureKind, HealthErrorCode>

/** The typed error of a failed check: its code is one of {@link tcpFailureCodes}. */
type TcpFailureError = HealthError & { code: (typeof tcpFailureCodes)[TcpFailureKind] }

/** An L4 check's outcome: connected (with the connect time in ms) or a typed failure. */
export type TcpCheckResult =
  | { ok: true; host: string; port: number; connectTime: number }
  | {
      ok: false
      host: string
      port: number
      failure: TcpFailureKind
      error: TcpFailureError
    }

export interface TcpCheckOptions {
  /** Give up after this long (default 5 000 ms). */
  timeout?: number
  /** Cancels the check; the promise rejects with the signal's reason. */
  signal?: AbortSignal
  clock?: Clock
  monotonic?: () => number
  /** Opens the socket (default `net.createConnection`); tests inject one that never connects. */
  connect?: (host: string, port: number) => Socket
}

export const tcpCheckDefaults = { timeout: 5_000 }

/** The failure kind of a socket error (by its `code`). */
export function tcpFailureKind(err: unknown): TcpFailureKind {
  const code = (err as { code?: unknown } | undefined)?.code
  if (code === 'ECONNREFUSED') return 'refused'
  if (code === 'ETIMEDOUT') return 'timeout'
  // EHOSTUNREACH, ENETUNREACH, ENOTFOUND, EADDRNOTAVAIL, and anything else.
  return 'unreachable'
}

/** Maps a socket error to the check's typed failure. */
export function tcpFailure(err: unknown): TcpFailureError {
  const msg = err instanceof Error ? err.message : String(err)
  return failureError(tcpFailureKind(err), msg, err)
}

function failureError(kind: TcpFailureKind, msg: string, cause?: unknown): TcpFailureError {
  const options = cause === undefined ? undefined : { cause }
  return new HealthError(tcpFailureCodes[kind], msg, options) as TcpFailureError
}

/**
 * L4 reachability: opens a TCP connection to `host:port`, measures how long the handshake took
 * on a monotonic clock, and closes it. Never throws for network failures: they come back as
 * `{ ok: false, failure, error }`: `refused` (`ERR_CONNECT_REFUSED`), `timeout`
 * (`ERR_CONNECT_TIMEOUT`) or `unreachable` (`ERR_UNREACHABLE`).
 */
export function checkTcp(
  host: string,
  port: number,
  options: TcpCheckOptions = {},
): Promise<TcpCheckResult> {
  const clock = options.clock ?? systemClock
  const monotonic = options.monotonic ?? (() => performance.now())
  const timeout = options.timeout ?? tcpCheckDefaults.timeout
  const signal = options.signal
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const start = monotonic()
    const socket = (options.connect ?? ((h, p) => createConnection({ host: h, port: p })))(
      host,
      port,
    )
    const finish = (result: TcpCheckResult | undefined, err?: unknown) => {
      clock.clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      socket.removeAllListeners('connect')
      socket.on('error', () => {}) // late errors after destroy are expected
      socket.destroy()
      if (result) resolve(result)
      else reject(err)
    }
    const onAbort = () => finish(undefined, signal?.reason)
    const timer = clock.setTimeout(() => {
      finish({
        ok: false,
        host,
        port,
        failure: 'timeout',
        error: failureError('timeout', `no TCP connection within ${timeout} ms`),
      })
    }, timeout)
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.once('connect', () =>
      finish({ ok: true, host, port, connectTime: Math.max(0, monotonic() - start) }),
    )
    socket.once('error', (err) => {
      const failure = tcpFailureKind(err)
      finish({ ok: false, host, port, failure, error: failureError(failure, err.message, err) })
    })
  })
}
