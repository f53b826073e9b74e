import { Devp2pError } from '@x/core'

/** Codes of the errors the demo throws. */
export type DemoErrorCode =
  | 'ERR_BAD_FLAG'
  | 'ERR_NODE_EXITED'
  | 'ERR_TIMEOUT'
  | 'ERR_STEP_FAILED'
  | 'ERR_UNKNOWN_NODE'
  | 'ERR_BAD_CONTROL'
  | 'ERR_TOO_MANY_NODES'

/** An error of the demo: a bad flag, a node that died early, a story step that did not happen. */
export class DemoError extends Devp2pError {
  declare readonly code: DemoErrorCode

  constructor(code: DemoErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'DemoError'
  }
}
