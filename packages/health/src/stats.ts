/**
 * Round-trip-time statistics of one peer: last, minimum, EWMA, and p50/p95 over a sliding window
 * of the most recent samples, plus failure counters. Pure bookkeeping: no clock, no I/O.
 */

export interface RttStatsOptions {
  /** Samples kept for the percentiles; the oldest is evicted when full (default 64). */
  window?: number
  /** Weight of a new sample in the EWMA, in (0, 1] (default 0.2). */
  ewmaAlpha?: number
}

export const rttStatsDefaults: Required<RttStatsOptions> = {
  window: 64,
  ewmaAlpha: 0.2,
}

/** A read-only copy of the statistics (what endpoints and events carry). All times in ms. */
export interface RttSummary {
  samples: number
  last: number | undefined
  min: number | undefined
  ewma: number | undefined
  p50: number | undefined
  p95: number | undefined
  failures: number
  consecutiveFailures: number
}

/** Nearest-rank percentile of an ascending array (`q` in (0, 1]). */
export function percentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined
  const rank = Math.ceil(q * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

export class RttStats {
  readonly #window: number
  readonly #alpha: number
  /** Ring buffer of the last `#window` samples. */
  readonly #ring: number[] = []
  #next = 0
  #samples = 0
  #last: number | undefined
  #min: number | undefined
  #ewma: number | undefined
  #failures = 0
  #consecutiveFailures = 0

  constructor(options: RttStatsOptions = {}) {
    const o = {
      window: options.window ?? rttStatsDefaults.window,
      ewmaAlpha: options.ewmaAlpha ?? rttStatsDefaults.ewmaAlpha,
    }
    if (!Number.isInteger(o.window) || o.window < 1) {
      throw new RangeError(`window must be a positive integer, got ${o.window}`)
    }
    if (!(o.ewmaAlpha > 0 && o.ewmaAlpha <= 1)) {
      throw new RangeError(`ewmaAlpha must be in (0, 1], got ${o.ewmaAlpha}`)
    }
    this.#window = o.window
    this.#alpha = o.ewmaAlpha
  }

  /** Records a successful round trip of `rtt` ms; resets the consecutive-failure count. */
  addSample(rtt: number): void {
    if (!Number.isFinite(rtt) || rtt < 0) throw new RangeError(`invalid RTT ${rtt}`)
    if (this.#ring.length < this.#window) this.#ring.push(rtt)
    else this.#ring[this.#next] = rtt
    this.#next = (this.#next + 1) % this.#window
    this.#samples++
    this.#last = rtt
    this.#min = this.#min === undefined ? rtt : Math.min(this.#min, rtt)
    this.#ewma = this.#ewma === undefined ? rtt : this.#ewma + this.#alpha * (rtt - this.#ewma)
    this.#consecutiveFailures = 0
  }

  /** Records a failed check (timeout, payload mismatch, write error, silence). */
  addFailure(): void {
    this.#failures++
    this.#consecutiveFailures++
  }

  get ewma(): number | undefined {
    return this.#ewma
  }

  get consecutiveFailures(): number {
    return this.#consecutiveFailures
  }

  summary(): RttSummary {
    const sorted = [...this.#ring].sort((a, b) => a - b)
    return {
      samples: this.#samples,
      last: this.#last,
      min: this.#min,
      ewma: this.#ewma,
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      failures: this.#failures,
      consecutiveFailures: this.#consecutiveFailures,
    }
  }
}
