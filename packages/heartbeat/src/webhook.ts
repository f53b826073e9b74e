import { type Logger, noopLogger } from '@x/core'
import type { HeartbeatAlert } from './alert.js'
import { HeartbeatError } from './errors.js'

export const webhookDefaults = {
  /** A POST that takes longer is aborted. */
  timeout: 5_000,
  /** POSTs in flight at once; alerts beyond are dropped (logged), never queued without bound. */
  maxInFlight: 16,
}

export interface WebhookOptions {
  /** Where to POST each alert as JSON (http or https). */
  url: string
  timeout?: number
  maxInFlight?: number
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch
  logger?: Logger
  /** Called with every failed POST (after it is logged). */
  onError?: (error: HeartbeatError, alert: HeartbeatAlert) => void
}

/**
 * Posts alerts to a webhook URL as JSON (`content-type: application/json`, the alert object as
 * the body). Failures (network, timeout, non-2xx) are logged as `ERR_WEBHOOK` and reported
 * through `onError`; they never reach the caller. It opens nothing of its own: `stop()` waits
 * for the POSTs in flight.
 */
export class Webhook {
  readonly url: string
  readonly #timeout: number
  readonly #maxInFlight: number
  readonly #onError: WebhookOptions['onError']
  readonly #log: Logger
  readonly #fetch: typeof fetch
  readonly #inFlight = new Set<Promise<void>>()

  constructor(options: WebhookOptions) {
    let url: URL
    try {
      url = new URL(options.url)
    } catch (cause) {
      throw new HeartbeatError('ERR_INVALID_CONFIG', `webhook: invalid URL ${options.url}`, {
        cause,
      })
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new HeartbeatError('ERR_INVALID_CONFIG', 'webhook: URL must be http or https')
    }
    this.url = url.toString()
    this.#timeout = options.timeout ?? webhookDefaults.timeout
    this.#maxInFlight = options.maxInFlight ?? webhookDefaults.maxInFlight
    this.#onError = options.onError
    this.#log = options.logger ?? noopLogger
    this.#fetch = options.fetch ?? fetch
  }

  /** Starts a POST of `alert` (fire and forget). */
  post(alert: HeartbeatAlert): void {
    if (this.#inFlight.size >= this.#maxInFlight) {
      this.#fail(new HeartbeatError('ERR_WEBHOOK', 'too many webhook posts in flight'), alert)
      return
    }
    const p = this.#post(alert).finally(() => this.#inFlight.delete(p))
    this.#inFlight.add(p)
  }

  async #post(alert: HeartbeatAlert): Promise<void> {
    try {
      const res = await this.#fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alert),
        signal: AbortSignal.timeout(this.#timeout),
      })
      // Drain the body so the connection can be reused or closed.
      await res.arrayBuffer().catch(() => {})
      if (!res.ok) throw new Error(`status ${res.status}`)
    } catch (cause) {
      this.#fail(
        new HeartbeatError('ERR_WEBHOOK', `webhook POST failed: ${String(cause)}`, { cause }),
        alert,
      )
    }
  }

  #fail(error: HeartbeatError, alert: HeartbeatAlert): void {
    this.#log.warn('webhook failed', { url: this.url, kind: alert.kind, err: error })
    this.#onError?.(error, alert)
  }

  /** Resolves once every POST in flight has finished (each ends within `timeout`). Idempotent. */
  async stop(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
  }
}
