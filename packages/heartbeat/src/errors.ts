import { CoreError, Devp2pError, parseDuration } from '@x/core'

/** Stable error codes of @x/heartbeat. Callers branch on `code`, never on messages. */
export type HeartbeatErrorCode =
  /** A duration string that does not parse ("3s", "500ms", "1m30s" do). */
  | 'ERR_INVALID_DURATION'
  /** A configuration value that cannot work (bad enode URL, empty getter, bad limit). */
  | 'ERR_INVALID_CONFIG'
  /** A heartbeat message that does not decode, or whose node ID is not the sender's. */
  | 'ERR_BAD_HEARTBEAT'
  /** Writing a heartbeat to the aggregator failed; the link is dropped and redialed. */
  | 'ERR_SEND_FAILED'
  /** The link to the aggregator ended (the peer disconnected). */
  | 'ERR_LINK_CLOSED'
  /** Too many callers waiting for a heartbeat link. */
  | 'ERR_TOO_MANY_PEERS'
  /** A webhook POST failed (network error, timeout or non-2xx status). */
  | 'ERR_WEBHOOK'
  /** The HTTP API could not start. */
  | 'ERR_HTTP_SERVER'
  /** Something only a started service has (an `AggregatorNode`'s enode URL) was asked for. */
  | 'ERR_NOT_STARTED'

/** Base class of every error thrown by @x/heartbeat. */
export class HeartbeatError extends Devp2pError {
  declare readonly code: HeartbeatErrorCode

  constructor(code: HeartbeatErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'HeartbeatError'
  }
}

/**
 * A duration option (`beatPeriod`, `--period`, …) in ms, read by @x/core's `parseDuration`. The
 * one place its `CoreError` becomes a `HeartbeatError` `ERR_INVALID_DURATION` (same message,
 * the core error as `cause`), so every heartbeat API throws its own error class.
 */
export function durationOption(value: string | number, what: string): number {
  try {
    return parseDuration(value, what)
  } catch (err) {
    if (err instanceof CoreError && err.code === 'ERR_INVALID_DURATION') {
      throw new HeartbeatError('ERR_INVALID_DURATION', err.message, { cause: err })
    }
    throw err
  }
}
