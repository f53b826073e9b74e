import { execFile, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

// go-ethereum's binaries for the geth suites: built (or reused) by scripts/geth.mjs, which holds
// the pinned version. The suites run when Go is on PATH and are skipped otherwise, unless
// X_REQUIRE_GETH=1 (CI), which turns the skip into a failure.

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../../../', import.meta.url))
const installer = join(root, 'scripts', 'geth.mjs')

export const requireGeth = process.env.X_REQUIRE_GETH === '1'

/** True when `go version` runs. */
export const hasGo = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0

/** Why the geth suites do not run here, or undefined when they do. */
export const skipReason = hasGo ? undefined : 'skipped: Go is not on PATH (geth cannot be built)'

/** A fresh machine builds geth and devp2p in a few minutes; a cached install is instant. */
export const installTimeoutMs = 20 * 60_000

/** Installs geth and devp2p unless cached (scripts/geth.mjs); resolves with their directory. */
export async function gethBinDir(): Promise<string> {
  if (!hasGo) {
    throw new Error('X_REQUIRE_GETH=1, but Go is not on PATH: the geth suites cannot run')
  }
  const { stdout } = await run(process.execPath, [installer], {
    timeout: installTimeoutMs,
    maxBuffer: 1 << 20,
  })
  return stdout.trim()
}

/**
 * The eth-test suite's data (genesis.json, chain.rlp of 600 blocks), shipped in go-ethereum's
 * module and read from the Go module cache (never copied into this repository).
 */
export const ethtestData = (version: string) =>
  join(
    process.env.GOMODCACHE ?? join(process.env.HOME ?? '/root', 'go', 'pkg', 'mod'),
    `github.com/ethereum/go-ethereum@${version}`,
    'cmd/devp2p/internal/ethtest/testdata',
  )

/** One case of a go-ethereum `utesting` suite, from its TAP output. */
export interface CaseResult {
  name: string
  ok: boolean
  /** The case's log (`# `-indented lines after its result line). */
  output: string
}

/** Parses `utesting.RunTAP` output: `1..N`, then `ok|not ok <i> <name>` and `# ` log lines. */
export function parseTap(text: string): { planned: number; cases: CaseResult[] } {
  let planned = 0
  const cases: CaseResult[] = []
  for (const line of text.split('\n')) {
    const plan = /^1\.\.(\d+)$/.exec(line)
    const result = /^(ok|not ok) \d+ (.+)$/.exec(line)
    if (plan) planned = Number(plan[1])
    else if (result) cases.push({ name: result[2]!, ok: result[1] === 'ok', output: '' })
    else if (line.startsWith('#') && cases.length > 0) {
      cases[cases.length - 1]!.output += `${line.replace(/^# ?/, '')}\n`
    }
  }
  return { planned, cases }
}

/** Runs a binary to its exit; resolves with its exit code and output (never rejects on exit ≠ 0). */
export function runTool(
  bin: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err)
      else resolve({ code: err ? Number(err.code) : 0, stdout, stderr })
    })
  })
}
