import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The story is its own test: `demo story` exits 0 only when every step happened.

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))

describe('demo story', () => {
  it('tells every step of the three-node story and exits 0', async () => {
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [main, 'story'], { timeout: 150_000 }, (err, stdout) => {
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout })
      })
    })
    expect(stdout).toContain("finds node2 in node1's NEIGHBORS")
    expect(stdout).toContain("the aggregator's silence alert fires")
    expect(stdout).toContain('node2 is found again')
    expect(stdout).toContain('Every step happened.')
    expect(code).toBe(0)
  }, 160_000)
})
