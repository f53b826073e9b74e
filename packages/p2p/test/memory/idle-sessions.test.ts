import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const script = fileURLToPath(new URL('./idle-sessions.ts', import.meta.url))
const out = (s: string) => process.stdout.write(`${s}\n`)

/**
 * Runs idle-sessions.ts in a child process (its own heap and RSS) and prints the figures; the
 * figures at 1,000 sessions come from running the script by hand. Only sanity is asserted:
 * RSS depends on the allocator and the machine.
 */
describe('memory of idle sessions (child process)', () => {
  it.each([['--rlpx-only'], ['--peer']])(
    'reports RSS and heap per session (%s)',
    async (kind) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--expose-gc', '--max-semi-space-size=1', '--import', 'tsx', script, '100', kind],
        { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 60_000 },
      )
      const r = JSON.parse(stdout.trim()) as Record<string, number>
      out(`idle sessions ${kind}: ${stdout.trim()}`)
      expect(r.sessions).toBe(200)
      expect(r.heap_per_session).toBeGreaterThan(0)
      expect(r.rss_per_session).toBeGreaterThan(0)
    },
    90_000,
  )
})
