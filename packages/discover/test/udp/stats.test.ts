import { afterEach, describe, expect, it } from 'vitest'
import { wireConstants } from '../../src/wire/index.js'
import { harness } from './helpers.js'

const h = harness()
afterEach(async () => {
  await h.closeAll()
  expect(h.clock.pending).toBe(0)
})

describe('UDPv4 stats', () => {
  it('counts packets by type and bytes each way', async () => {
    const a = await h.make()
    const b = await h.make()
    await a.ping(b.self)
    // a: Ping out, Pong in (b's ping-back may still be on its way: count what a got so far).
    expect(a.stats.sentByType.ping).toBe(1)
    expect(a.stats.receivedByType.pong).toBe(1)
    expect(b.stats.receivedByType.ping).toBeGreaterThanOrEqual(1)
    expect(b.stats.sentByType.pong).toBeGreaterThanOrEqual(1)
    expect(a.stats.bytesSent).toBeGreaterThan(wireConstants.headSize)
    expect(a.stats.bytesReceived).toBeGreaterThan(wireConstants.headSize)
    const sum = (r: Record<string, number | undefined>) =>
      Object.values(r).reduce<number>((x, y) => x + (y ?? 0), 0)
    expect(sum(a.stats.sentByType)).toBe(a.stats.sent)
    expect(sum(a.stats.receivedByType)).toBe(a.stats.received)
    await h.clock.advance(500)
  })
})
