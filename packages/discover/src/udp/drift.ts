import type { Clock, Logger } from '@x/core'
import { DiscoverError } from '../errors.js'
import { ntpDefaults, type SntpServer, sntpOffset } from './ntp.js'

/**
 * go-ethereum's ntp.go: a run of expired packets usually means our own clock is wrong. After
 * `failureThreshold` expired packets in a row (and at most once per cooldown), ask an SNTP server
 * and warn loudly when we are off by more than 10 s.
 */
export class ClockDriftCheck {
  readonly #clock: Clock
  readonly #server: SntpServer | false
  readonly #log: Logger
  readonly #onDrift: (offsetMs: number) => void
  readonly #abort = new AbortController()
  #inARow = 0
  #lastCheck = Number.NEGATIVE_INFINITY

  constructor(
    clock: Clock,
    server: SntpServer | false,
    log: Logger,
    onDrift: (offsetMs: number) => void,
  ) {
    this.#clock = clock
    this.#server = server
    this.#log = log
    this.#onDrift = onDrift
  }

  /** True if `expiration` (seconds since the epoch) is in the past; counts runs of expired packets. */
  expired(expiration: number): boolean {
    const now = this.#clock.now()
    if (expiration >= now / 1000) {
      this.#inARow = 0
      return false
    }
    this.#inARow++
    if (
      this.#server !== false &&
      this.#inARow >= ntpDefaults.failureThreshold &&
      now - this.#lastCheck >= ntpDefaults.cooldownMs
    ) {
      this.#inARow = 0
      this.check().catch((e: Error) => this.#log.debug('SNTP check failed', { err: e.message }))
    }
    return true
  }

  /** Queries the SNTP server; returns our clock's offset in ms and warns above 10 s. */
  async check(): Promise<number> {
    const server = this.#server
    if (server === false) throw new DiscoverError('ERR_SNTP', 'SNTP check disabled')
    this.#lastCheck = this.#clock.now()
    const offsetMs = await sntpOffset(server, { clock: this.#clock, signal: this.#abort.signal })
    if (Math.abs(offsetMs) > ntpDefaults.warningMs) {
      this.#log.warn(
        'System clock seems off; discovery packets will be rejected as expired. Please enable network time synchronisation (NTP).',
        { offsetMs: Math.round(offsetMs), server: `${server.host}:${server.port}` },
      )
      this.#onDrift(offsetMs)
    }
    return offsetMs
  }

  stop(): void {
    this.#abort.abort(new DiscoverError('ERR_CLOSED', 'closed'))
  }
}
