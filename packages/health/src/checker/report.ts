/** The checks the command-line checker runs, in order. */
export type CheckName = 'tcp' | 'handshake' | 'base-ping' | 'ping/1'

/** One check's outcome. `skip` means it could not run (an earlier one failed) or does not apply. */
export interface CheckStep {
  name: CheckName
  status: 'pass' | 'fail' | 'skip'
  /** Connect time or round-trip time, in ms. */
  ms?: number
  error?: { code: string; message: string }
  /** Why a step was skipped, or the kind of a failed `tcp` step (refused, timeout, unreachable). */
  note?: string
}

/** What the remote said in its hello. */
export interface RemoteInfo {
  clientId: string
  version: number
  caps: string[]
}

export interface CheckReport {
  /** The enode URL checked. */
  target: string
  ok: boolean
  steps: CheckStep[]
  remote?: RemoteInfo
}

const labels: Record<CheckName, string> = {
  tcp: 'L4 TCP connect',
  handshake: 'RLPx handshake + hello',
  'base-ping': 'devp2p base ping',
  'ping/1': 'L7 ping/1',
}

/**
 * Passes when TCP, the handshake and the base ping passed and nothing failed (`ping/1` may be
 * skipped when the remote does not speak it).
 */
export function reportOk(steps: readonly CheckStep[]): boolean {
  const passed = (n: CheckName) => steps.some((s) => s.name === n && s.status === 'pass')
  return (
    passed('tcp') &&
    passed('handshake') &&
    passed('base-ping') &&
    !steps.some((s) => s.status === 'fail')
  )
}

/** A readable, aligned report for terminals. */
export function formatReport(r: CheckReport): string {
  const lines = [`devp2p health check of ${r.target}`]
  for (const s of r.steps) {
    const time = s.ms === undefined ? '' : `${s.ms.toFixed(1)} ms`
    const extra = s.error ? `${s.error.code}: ${s.error.message}` : (s.note ?? '')
    lines.push(
      `  ${s.status.toUpperCase().padEnd(4)}  ${labels[s.name].padEnd(24)} ${time.padStart(10)}  ${extra}`.trimEnd(),
    )
  }
  if (r.remote) {
    lines.push(`  remote client: ${r.remote.clientId} (p2p v${r.remote.version})`)
    lines.push(`  remote caps:   ${r.remote.caps.join(', ') || '(none)'}`)
  }
  lines.push(`result: ${r.ok ? 'PASS' : 'FAIL'}`)
  return `${lines.join('\n')}\n`
}
