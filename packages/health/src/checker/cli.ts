import { parseDuration } from '@x/core'
import { EnodeError } from '@x/discover'
import { type CheckDialer, checkNode, checkNodeDefaults } from './check.js'
import { formatReport } from './report.js'

export const checkUsage = `usage: x-health-check <enode-url> [--json] [--timeout <dur>]

Checks a devp2p node in order: L4 TCP connect, RLPx handshake + hello (client id and
capabilities), base-protocol ping RTT, and L7 ping/1 RTT when the node speaks it.

  --json           print the report as JSON
  --timeout <dur>  time allowed for each check, e.g. 500ms, 5s (default ${checkNodeDefaults.timeout / 1000}s;
                   a bare number is milliseconds, as before)
  -h, --help       show this help

Exit status: 0 when every check passed, 1 when one failed, 2 on a usage error.
`

export interface CheckCliArgs {
  enode: string
  json: boolean
  timeout: number
}

/** Parses the checker's arguments; returns a usage error message or `help`. */
export function parseCheckArgs(argv: readonly string[]): CheckCliArgs | 'help' | string {
  let enode: string | undefined
  let json = false
  let timeout = checkNodeDefaults.timeout
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '-h' || a === '--help') return 'help'
    if (a === '--json') json = true
    else if (a === '--timeout' || a.startsWith('--timeout=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]
      if (v === undefined) return '--timeout needs a duration like "500ms" or "5s"'
      try {
        // Durations as every CLI here reads them ("5s"); a bare number stays milliseconds.
        timeout = parseDuration(/^\d+$/.test(v) ? Number(v) : v, '--timeout')
      } catch (err) {
        return (err as Error).message
      }
    } else if (a.startsWith('-')) return `unknown option ${a}`
    else if (enode === undefined) enode = a
    else return `unexpected argument ${a}`
  }
  if (enode === undefined) return 'missing enode URL'
  return { enode, json, timeout }
}

export interface CheckCliIo {
  out(text: string): void
  err(text: string): void
}

/**
 * The `x-health-check` command: parses `argv`, runs the checks through `dial`, prints the
 * report (text or JSON) and returns the exit status.
 */
export async function runCheckCli(
  argv: readonly string[],
  deps: { dial: CheckDialer; io: CheckCliIo; signal?: AbortSignal },
): Promise<number> {
  const args = parseCheckArgs(argv)
  if (args === 'help') {
    deps.io.out(checkUsage)
    return 0
  }
  if (typeof args === 'string') {
    deps.io.err(`x-health-check: ${args}\nrun with --help for the options\n`)
    return 2
  }
  let report: Awaited<ReturnType<typeof checkNode>>
  try {
    report = await checkNode(args.enode, {
      dial: deps.dial,
      timeout: args.timeout,
      ...(deps.signal && { signal: deps.signal }),
    })
  } catch (err) {
    if (err instanceof EnodeError) {
      deps.io.err(`x-health-check: ${err.message}\n`)
      return 2
    }
    throw err
  }
  deps.io.out(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report))
  return report.ok ? 0 : 1
}
