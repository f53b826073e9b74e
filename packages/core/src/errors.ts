/**
 * The base class of every error the stack throws. Each package narrows `code` to its own literal
 * union (`DiscoverErrorCode`, `RlpxErrorCode`, …) in its `errors.ts`; callers branch on `code`,
 * never on messages, and `instanceof Devp2pError` catches what any layer throws.
 */
export class Devp2pError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'Devp2pError'
    this.code = code
  }
}

/** Codes of the errors @x/core itself throws. */
export type CoreErrorCode =
  | 'ERR_TIMEOUT'
  | 'ERR_BAD_RLP'
  | 'ERR_TOO_MANY_ITEMS'
  | 'ERR_INVALID_HEX'
  | 'ERR_INVALID_IP'
  | 'ERR_INVALID_CIDR'
  | 'ERR_INVALID_DURATION'

/** An error of @x/core: malformed input to one of its codecs or parsers. */
export class CoreError extends Devp2pError {
  declare readonly code: CoreErrorCode

  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'CoreError'
  }
}

/**
 * An operation that did not finish in time: a discovery request with no (complete) answer, an
 * RLPx handshake, a hello exchange, a dial. One class for every layer, so `instanceof` does not
 * depend on which package's import the caller used.
 */
export class TimeoutError extends Devp2pError {
  declare readonly code: 'ERR_TIMEOUT'

  constructor(message: string) {
    super('ERR_TIMEOUT', message)
    this.name = 'TimeoutError'
  }
}

/**
 * An RLP input that does not decode (not canonical, truncated), or decodes to the wrong shape
 * (`ERR_BAD_RLP`); or a well-formed list with more items than the reader was told to take
 * (`ERR_TOO_MANY_ITEMS`: a limit of the caller's, not malformed input).
 */
export class RlpError extends CoreError {
  declare readonly code: 'ERR_BAD_RLP' | 'ERR_TOO_MANY_ITEMS'

  constructor(
    message: string,
    options?: { cause?: unknown; code?: 'ERR_BAD_RLP' | 'ERR_TOO_MANY_ITEMS' },
  ) {
    super(options?.code ?? 'ERR_BAD_RLP', message, options)
    this.name = 'RlpError'
  }
}
