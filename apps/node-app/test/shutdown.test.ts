import { afterEach, describe, expect, it, vi } from 'vitest'
import { shutdownTimeoutMs, trapSignals } from '../src/shutdown.js'

// The second-signal and deadline paths, in this process: a spawned node-app stops too fast for
// a second signal to arrive in time (and POSIX merges two signals sent together).

class Exit extends Error {}

afterEach(() => {
  vi.useRealTimers()
})

describe('trapSignals', () => {
  it('resolves on the first signal and exits at once on the second', async () => {
    const said: string[] = []
    const exit = vi.fn((code: number): never => {
      throw new Exit(String(code))
    })
    const trap = trapSignals((l) => said.push(l), exit)
    try {
      process.emit('SIGTERM', 'SIGTERM')
      expect(await trap.signal).toBe('SIGTERM')
      expect(exit).not.toHaveBeenCalled()
      expect(() => process.emit('SIGINT', 'SIGINT')).toThrow(Exit)
      expect(exit).toHaveBeenCalledWith(130)
      expect(said).toEqual(['Fatal: second SIGINT — exiting without a clean shutdown'])
    } finally {
      trap.dispose()
    }
  })

  it(`exits with 1 when the stop takes longer than ${shutdownTimeoutMs} ms`, () => {
    vi.useFakeTimers()
    const said: string[] = []
    const exit = vi.fn((_code: number): never => undefined as never)
    const trap = trapSignals((l) => said.push(l), exit)
    try {
      process.emit('SIGINT', 'SIGINT')
      vi.advanceTimersByTime(shutdownTimeoutMs - 1)
      expect(exit).not.toHaveBeenCalled()
      vi.advanceTimersByTime(1)
      expect(exit).toHaveBeenCalledWith(1)
      expect(said[0]).toMatch(/^Fatal: shutdown took longer than 5 s/)
    } finally {
      trap.dispose()
    }
  })
})
