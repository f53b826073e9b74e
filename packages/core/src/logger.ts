import { toHex } from './bytes.js'
import { formatTerminal, type LogThreshold } from './log-terminal.js'

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>

/**
 * The one logging interface every package takes. Packages never write to the console; an
 * application passes a logger that writes where it wants ({@link createLogger}).
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

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export function isLogLevel(s: string): s is LogLevel {
  return Object.hasOwn(order, s)
}

/**
 * go-ethereum's `--log.format`: `json`, one JSON object a line; `logfmt`, `key=value` pairs;
 * `terminal`, aligned `key=value` for a person at a terminal (coloured with `color`).
 */
export type LogFormat = 'json' | 'logfmt' | 'terminal'

export function isLogFormat(s: string): s is LogFormat {
  return s === 'json' || s === 'logfmt' || s === 'terminal'
}

export interface LoggerOptions {
  /** Lines below this level are dropped (default `info`); `silent` drops every line. */
  level?: LogThreshold
  format?: LogFormat
  /** ANSI colours in the `terminal` format (default false: plain text, for a pipe or a file). */
  color?: boolean
  /** Receives each line, without a line break. */
  write: (line: string) => void
  /** Fields on every line. */
  fields?: LogFields
  /** The time stamp of each line (default: now, ISO 8601). */
  time?: () => string
}

/**
 * A field value as it is printed, the same in every format: bigints in decimal, bytes as
 * `0x`-prefixed hex (hashes, IDs), errors as one string — `Name: message` and the code, as
 * geth prints `err=`.
 */
function printable(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array) return `0x${toHex(value)}`
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code
    return code === undefined ? String(value) : `${String(value)} (${String(code)})`
  }
  return value
}

function logfmtValue(value: unknown): string {
  const v = printable(value)
  const text = typeof v === 'string' ? v : v instanceof Object ? JSON.stringify(v) : String(v)
  return text === '' || /[\s"=\\]/.test(text) ? JSON.stringify(text) : text
}

/** The line's fields: `t`, `level` and `msg` first, and never overridden by a field. */
function lineFields(head: LogFields, fields: LogFields): LogFields {
  return { ...head, ...fields, ...head }
}

function formatLine(
  format: LogFormat,
  head: { t: string; level: LogLevel; msg: string },
  fields: LogFields,
  color: boolean,
): string {
  if (format === 'json') {
    return JSON.stringify(lineFields(head, fields), (_k, v) => printable(v))
  }
  if (format === 'terminal') {
    const pairs: [string, string][] = []
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined || Object.hasOwn(head, k)) continue
      // Lists as geth prints them for a person: eth/69,eth/68 rather than a quoted JSON array.
      const text = Array.isArray(v) ? v.map((x) => String(printable(x))).join(',') : v
      pairs.push([k, logfmtValue(text)])
    }
    return formatTerminal(head.level, head.t, head.msg, pairs, color)
  }
  let line = ''
  for (const [k, v] of Object.entries(lineFields(head, fields))) {
    if (v === undefined) continue
    line += `${line === '' ? '' : ' '}${k}=${logfmtValue(v)}`
  }
  return line
}

/**
 * The logger applications use: one line per entry with time `t`, `level`, `msg`, then the
 * logger's and the call's fields, as JSON (default) or logfmt.
 */
export function createLogger(options: LoggerOptions): Logger {
  const { level = 'info', format = 'json', write, fields: base = {}, color = false } = options
  const time = options.time ?? (() => new Date().toISOString())
  const at =
    (lvl: LogLevel) =>
    (msg: string, fields?: LogFields): void => {
      if (level === 'silent' || order[lvl] < order[level]) return
      write(formatLine(format, { t: time(), level: lvl, msg }, { ...base, ...fields }, color))
    }
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  }
}
