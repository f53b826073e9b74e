import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const script = fileURLToPath(new URL('./read-msgs-retention.ts', import.meta.url))

describe('readMsgs (child process with --expose-gc)', () => {
  it('keeps nothing it has read alive while the peer lives on', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', script, '2000'],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 60_000 },
    )
    const r = JSON.parse(stdout.trim()) as { read: number; alive: number; heapMiB: number }
    process.stdout.write(`readMsgs retention: ${stdout.trim()}\n`)
    expect(r.read).toBe(2000)
    // At most the message in hand (the loop body holds it).
    expect(r.alive).toBeLessThanOrEqual(1)
  }, 90_000)
})
