import { Devp2pError } from '@x/core'

/** Stable error codes of @x/health. Callers branch on `code`, never on messages. */
export type HealthErrorCode =
  | 'ERR_CONNECT_REFUSED'
  | 'ERR_CONNECT_TIMEOUT'
  | 'ERR_UNREACHABLE'
  | 'ERR_PING_TIMEOUT'
  | 'ERR_PING_MISMATCH'
  | 'ERR_PING_BUSY'
  | 'ERR_PING_UNAVAILABLE'
  | 'ERR_BAD_PING_MSG'
  | 'ERR_REMOTE_DISCONNECT'
  | 'ERR_HTTP_SERVER'

/** Base class of every error thrown by @x/health. */
export class HealthError extends Devp2pError {
  declare readonly code: HealthErrorCode

  constructor(code: HealthErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'HealthError'
  }
}
