/**
 * Start-up failures as one line for an operator: `Fatal: <what> — <hint>`. A `FatalError` says
 * both itself (the checks before start); any other error is recognised by the system error code
 * anywhere in its cause chain (EADDRINUSE from listen or bind, LEVEL_LOCKED from the node DB, a
 * file error), else given as its message.
 */
export class FatalError extends Error {
  override name = 'FatalError'
  readonly hint: string
  constructor(what: string, hint: string, options?: { cause?: unknown }) {
    super(what, options)
    this.hint = hint
  }
}

interface SystemError {
  code?: unknown
  syscall?: unknown
  address?: unknown
  port?: unknown
  path?: unknown
  message?: unknown
  cause?: unknown
}

/** The error and its causes, outermost first (bounded: a cause cycle ends the walk). */
function causes(err: unknown): SystemError[] {
  const out: SystemError[] = []
  for (let e = err; e instanceof Object && out.length < 8; e = (e as SystemError).cause) {
    out.push(e as SystemError)
  }
  return out
}

/** `<what> — <hint>` for the line `Fatal: …`. */
export function describeFatal(err: unknown): string {
  if (err instanceof FatalError) return `${err.message} — ${err.hint}`
  const chain = causes(err)
  const find = (code: string) => chain.find((e) => e.code === code)
  const inUse = find('EADDRINUSE')
  if (inUse) {
    const proto = inUse.syscall === 'bind' ? 'UDP' : 'TCP'
    const host = typeof inUse.address === 'string' ? inUse.address : undefined
    const where =
      host === undefined
        ? 'the port'
        : `${host.includes(':') ? `[${host}]` : host}:${String(inUse.port)}`
    const flag = proto === 'UDP' ? '--discport (or --port)' : '--port'
    return `${proto} ${where} is already in use (${String(inUse.syscall ?? 'listen')} EADDRINUSE) — another node (or program) listens there; stop it or choose another ${flag}, 0 = any free port`
  }
  if (find('LEVEL_LOCKED')) {
    const db = chain.find((e) => typeof e.message === 'string' && /node DB at /.test(e.message))
    const path = db ? String(db.message).replace(/^.*node DB at /, '') : 'the node database'
    return `node database ${path} is locked — another node-app runs on this --datadir; stop it or give this one its own --datadir`
  }
  const file = chain.find((e) => typeof e.path === 'string' && typeof e.code === 'string')
  if (file) {
    return `${String(file.code)} on ${String(file.path)} — check that the path exists and this user may read and write it`
  }
  const first = chain[0]
  const message = first && typeof first.message === 'string' ? first.message : String(err)
  return `${message} — run with --verbosity 5 for the stack trace`
}

/** The stack traces of the error and its causes (`--verbosity 5`). */
export function fatalStack(err: unknown): string {
  return causes(err)
    .map((e) => (e instanceof Error ? (e.stack ?? e.message) : String(e)))
    .join('\ncaused by: ')
}
