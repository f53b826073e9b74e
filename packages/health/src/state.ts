import type { RttSummary } from './stats.js'

/** A peer's health, from its RTT statistics and failures. */
export type HealthState = 'healthy' | 'degraded' | 'unhealthy'

/** When a peer stops being healthy. RTT thresholds compare with the EWMA, in ms. */
export interface HealthThresholds {
  /** EWMA RTT at or above which a peer is degraded (default 500 ms). */
  degradedRtt?: number
  /** EWMA RTT at or above which a peer is unhealthy (default 2000 ms). */
  unhealthyRtt?: number
  /** Consecutive failures from which a peer is degraded (default 1). */
  degradedFailures?: number
  /** Consecutive failures from which a peer is unhealthy (default 3). */
  unhealthyFailures?: number
}

export const healthThresholdDefaults: Required<HealthThresholds> = {
  degradedRtt: 500,
  unhealthyRtt: 2000,
  degradedFailures: 1,
  unhealthyFailures: 3,
}

/** The classification and the rule that decided it (for logs and events). */
export interface Classification {
  state: HealthState
  reason: string
}

/**
 * Classifies a peer; the worst rule wins. A peer with no samples and no failures is healthy.
 * `hardFailure` (a failed write, or silence past the liveness threshold) makes it unhealthy at
 * once: the link itself is in doubt, not just its speed.
 */
export function classify(
  s: Pick<RttSummary, 'ewma' | 'consecutiveFailures'>,
  t: Required<HealthThresholds>,
  hardFailure?: string,
): Classification {
  if (hardFailure !== undefined) return { state: 'unhealthy', reason: hardFailure }
  const f = s.consecutiveFailures
  if (f >= t.unhealthyFailures) {
    return { state: 'unhealthy', reason: `${f} consecutive failures` }
  }
  if (s.ewma !== undefined && s.ewma >= t.unhealthyRtt) {
    return { state: 'unhealthy', reason: `rtt ${round(s.ewma)} ms >= ${t.unhealthyRtt} ms` }
  }
  if (f >= t.degradedFailures) {
    return { state: 'degraded', reason: `${f} consecutive failure${f === 1 ? '' : 's'}` }
  }
  if (s.ewma !== undefined && s.ewma >= t.degradedRtt) {
    return { state: 'degraded', reason: `rtt ${round(s.ewma)} ms >= ${t.degradedRtt} ms` }
  }
  return { state: 'healthy', reason: 'ok' }
}

/** Validates thresholds merged with the defaults. */
export function resolveThresholds(t: HealthThresholds = {}): Required<HealthThresholds> {
  const d = healthThresholdDefaults
  const r = {
    degradedRtt: t.degradedRtt ?? d.degradedRtt,
    unhealthyRtt: t.unhealthyRtt ?? d.unhealthyRtt,
    degradedFailures: t.degradedFailures ?? d.degradedFailures,
    unhealthyFailures: t.unhealthyFailures ?? d.unhealthyFailures,
  }
  if (!(r.degradedRtt > 0 && r.unhealthyRtt >= r.degradedRtt)) {
    throw new RangeError('need 0 < degradedRtt <= unhealthyRtt')
  }
  if (!(r.degradedFailures >= 1 && r.unhealthyFailures >= r.degradedFailures)) {
    throw new RangeError('need 1 <= degradedFailures <= unhealthyFailures')
  }
  return r
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10
}
