/** Time a stop may take after the first signal before the process exits anyway. */
export const shutdownTimeoutMs = 5_000

export interface ShutdownTrap {
  /** Resolves with the first SIGINT or SIGTERM. */
  readonly signal: Promise<NodeJS.Signals>
  /** Removes the listeners and the timers. */
  dispose(): void
}

/**
 * Listens for SIGINT and SIGTERM from the start, so that a signal during start-up is not lost:
 * the first resolves `signal` (the caller stops the node, in order) and arms a
 * {@link shutdownTimeoutMs} deadline; a second signal, or the deadline, exits at once with
 * 128 + the signal number (1 on the deadline), as a shell reports a killed job. Signal
 * listeners do not keep the event loop alive; the interval does until a signal comes.
 */
export function trapSignals(
  say: (line: string) => void,
  exit: (code: number) => never = process.exit,
): ShutdownTrap {
  const keepAlive = setInterval(() => {}, 1 << 30)
  let deadline: NodeJS.Timeout | undefined
  let first: NodeJS.Signals | undefined
  let resolve!: (s: NodeJS.Signals) => void
  const signal = new Promise<NodeJS.Signals>((r) => {
    resolve = r
  })
  const code = (s: NodeJS.Signals) => (s === 'SIGINT' ? 130 : 143)
  const on = (s: NodeJS.Signals) => {
    if (first !== undefined) {
      say(`Fatal: second ${s} — exiting without a clean shutdown`)
      exit(code(s))
    }
    first = s
    clearInterval(keepAlive)
    deadline = setTimeout(() => {
      say(`Fatal: shutdown took longer than ${shutdownTimeoutMs / 1000} s — exiting anyway`)
      exit(1)
    }, shutdownTimeoutMs)
    deadline.unref()
    resolve(s)
  }
  process.on('SIGINT', on)
  process.on('SIGTERM', on)
  return {
    signal,
    dispose() {
      clearInterval(keepAlive)
      if (deadline) clearTimeout(deadline)
      process.off('SIGINT', on)
      process.off('SIGTERM', on)
    },
  }
}
