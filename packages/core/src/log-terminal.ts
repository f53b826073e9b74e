import type { LogLevel } from './logger.js'

/**
 * go-ethereum's terminal log format (`log.TerminalFormat`): the level in five columns, the time
 * as `[MM-DD|HH:MM:SS.mmm]`, the message padded to 40 columns so the fields line up, then
 * `key=value` pairs. With `color`, the level and the keys take the level's ANSI colour, as
 * geth does on a TTY; without, the line is plain text.
 */
const termMsgJust = 40

const label: Record<LogLevel, string> = {
  debug: 'DEBUG',
  info: 'INFO ',
  warn: 'WARN ',
  error: 'ERROR',
}

// go-ethereum's colours: debug cyan, info green, warn yellow, error red.
const colour: Record<LogLevel, number> = { debug: 36, info: 32, warn: 33, error: 31 }

const paint = (code: number, text: string) => `\x1b[${code}m${text}\x1b[0m`

/** `2026-01-02T03:04:05.678Z` as geth prints it: `01-02|03:04:05.678`. */
function termTime(iso: string): string {
  const m = /^\d{4}-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d{3})?)/.exec(iso)
  return m ? `${m[1]}-${m[2]}|${m[3]}` : iso
}

export function formatTerminal(
  level: LogLevel,
  time: string,
  msg: string,
  fields: [string, string][],
  color: boolean,
): string {
  const lvl = color ? paint(colour[level], label[level]) : label[level]
  let line = `${lvl}[${termTime(time)}] ${msg}`
  if (fields.length === 0) return line
  line += ' '.repeat(Math.max(0, termMsgJust - msg.length))
  for (const [k, v] of fields) line += ` ${color ? paint(colour[level], k) : k}=${v}`
  return line
}

/** What `--verbosity` selects: a level, or nothing at all. */
export type LogThreshold = LogLevel | 'silent'

/**
 * go-ethereum's `--verbosity`: 0 silent, 1 error, 2 warn, 3 info, 4 debug, 5 trace (we have no
 * level below debug, so 5 logs debug too; the application shows stack traces at 5).
 */
export function verbosityLevel(verbosity: number): LogThreshold {
  const levels: LogThreshold[] = ['silent', 'error', 'warn', 'info', 'debug', 'debug']
  const level = levels[verbosity]
  if (!Number.isInteger(verbosity) || level === undefined) {
    throw new RangeError(`verbosity must be 0-5, got ${verbosity}`)
  }
  return level
}
