export type { DialDiscovery } from './discovery.js'
export {
  type DialKind,
  type DialSchedulerOptions,
  dialDefaults,
} from './options.js'
export { DialScheduler } from './scheduler.js'
