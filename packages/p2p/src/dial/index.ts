export type { DialDiscovery } from './discovery.js'
export { type DialFilter, filteredCandidates, type RecordResolver } from './filter.js'
export {
  type DialKind,
  type DialSchedulerOptions,
  dialDefaults,
} from './options.js'
export { DialScheduler } from './scheduler.js'
