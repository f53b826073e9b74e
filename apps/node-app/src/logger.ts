import type { LogFields, Logger } from '@x/discover'

type Level = 'debug' | 'info' | 'warn' | 'error'
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex')
  if (value instanceof Error)
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code }
  return value
}

/** JSON lines on stdout: one object per line with time, level, msg and the fields. */
export function createJsonLogger(
  level: Level = 'info',
  write: (line: string) => void = (l) => process.stdout.write(l),
  base: LogFields = {},
): Logger {
  const emit = (lvl: Level, msg: string, fields?: LogFields) => {
    if (order[lvl] < order[level]) return
    write(
      `${JSON.stringify({ t: new Date().toISOString(), level: lvl, msg, ...base, ...fields }, jsonSafe)}\n`,
    )
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createJsonLogger(level, write, { ...base, ...fields }),
  }
}

export function isLevel(s: string): s is Level {
  return s in order
}
