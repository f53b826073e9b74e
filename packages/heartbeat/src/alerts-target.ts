import { HeartbeatService, type HeartbeatServiceOptions } from './service.js'

/**
 * The environment variable naming a second aggregator for alerting (filecoin's
 * `FIL_HEARTBEAT_ALERTS`): when set to an enode URL, a second service beats there every 10 s.
 * Packages never read `process.env`: the application passes its environment in.
 */
export const heartbeatAlertsEnvVar = 'X_HEARTBEAT_ALERTS'

/** Beat and reconnect period of the alerts target. */
export const alertsPeriod = '10s'

/**
 * The options of the alerts service derived from the main one's, or undefined when
 * `env[X_HEARTBEAT_ALERTS]` is unset or empty. Same identity, nickname and getters; its own
 * target and 10 s periods. Without a custom connector it uses its own `heartbeat/1` instance
 * unless `protocol` is shared.
 */
export function alertsServiceOptions(
  base: HeartbeatServiceOptions,
  env: Readonly<Record<string, string | undefined>>,
): HeartbeatServiceOptions | undefined {
  const target = env[heartbeatAlertsEnvVar]?.trim()
  if (!target) return undefined
  return {
    ...base,
    beatTarget: target,
    beatPeriod: alertsPeriod,
    reconnectPeriod: alertsPeriod,
    name: 'heartbeat-alerts',
  }
}

/**
 * The node's heartbeat services: the main one from `options`, plus the alerts one when
 * `env[X_HEARTBEAT_ALERTS]` is set. Construction validates both (a bad URL in the variable
 * throws `ERR_INVALID_CONFIG`).
 */
export function createHeartbeatServices(
  options: HeartbeatServiceOptions,
  env: Readonly<Record<string, string | undefined>> = {},
): HeartbeatService[] {
  const main = new HeartbeatService(options)
  // Both services share one protocol instance: one heartbeat/1 in the node's Server serves both.
  const shared = { ...options, protocol: main.protocol }
  const alerts = alertsServiceOptions(shared, env)
  return alerts ? [main, new HeartbeatService(alerts)] : [main]
}
