export type { DialDiscovery } from './discovery.js'
export { type DialFilter, filteredCandidates, type RecordResolver } from './filter.js'
export { type DialSource, fairMix } from './mix.js'
export {
  type DialKind,
  type DialSchedulerOptions,
  type DialTarget,
  dialDefaults,
} from './options.js'
export { DialScheduler } from './scheduler.js'
