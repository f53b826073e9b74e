import { EnodeError } from '@x/discover'
import { type CheckDialer, checkNode, checkNodeDefaults } from './check.js'
import { formatReport } from './report.js'

export const checkUsage = `usage: x-health-check <enode-url> [--json] [--timeout <ms>]

Checks a devp2p node in order: L4 TCP connect, RLPx handshake + hello (client id and
capabilities), base-protocol ping RTT, and L7 ping/1 RTT when the node speaks it.

  --json           print the report as JSON
  --timeout <ms>   time allowed for each check (default ${checkNodeDefaults.timeout})
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
      const n = Number(v)
      if (v === undefined || !Number.isInteger(n) || n <= 0 || n > 600_000) {
        return `--timeout needs milliseconds between 1 and 600000, got ${v ?? 'nothing'}`
      }
      timeout = n
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
    deps.io.err(`x-health-check: ${args}\n\n${checkUsage}`)
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
