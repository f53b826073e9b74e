import { countHandles, settledHandleLeaks } from '@x/core/testing'
import { afterAll, beforeAll, expect } from 'vitest'

/**
 * Registers hooks asserting that the file's tests leave no socket, listener or timer behind
 * (compared with what was active before the first test).
 */
export function expectNoLeakedHandles(): void {
  let base: Record<string, number> = {}
  beforeAll(() => {
    base = countHandles()
  })
  afterAll(async () => {
    expect({
      leaked: await settledHandleLeaks(base),
      active: process.getActiveResourcesInfo(),
    }).toEqual({ leaked: {}, active: expect.anything() })
  })
}
