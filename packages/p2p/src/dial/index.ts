export {
  type DialDiscovery,
  type DialKind,
  DialScheduler,
  type DialSchedulerOptions,
  dialDefaults,
} from './scheduler.js'
