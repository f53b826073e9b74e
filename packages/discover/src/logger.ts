/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>

/**
 * The one logging interface every package takes. Packages never write to the console; an
 * application passes a logger that writes where it wants (node-app writes JSON lines).
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger
}

const noop = () => {}

/** Discards everything; the default of every component. */
export const noopLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger,
}
