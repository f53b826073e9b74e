export { HealthError, type HealthErrorCode } from './errors.js'
export {
  type Classification,
  classify,
  type HealthState,
  type HealthThresholds,
  healthThresholdDefaults,
  resolveThresholds,
} from './state.js'
export {
  percentile,
  RttStats,
  type RttStatsOptions,
  type RttSummary,
  rttStatsDefaults,
} from './stats.js'
export {
  type FailureKind,
  type HealthStateChange,
  HealthTracker,
  type HealthTrackerEvents,
  type HealthTrackerOptions,
  healthTrackerDefaults,
  type PeerHealth,
  type PeerIdentity,
  type RttSource,
} from './tracker.js'
