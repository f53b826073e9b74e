import { describe, expect, it } from 'vitest'
import { SendQueue } from '../src/send-queue.js'

describe('SendQueue', () => {
  it('never blocks the caller, sends in batches, drops the oldest when full', async () => {
    const sent: number[][] = []
    let release: (() => void) | undefined
    const q = new SendQueue<number>(
      4,
      2,
      (items) => {
        sent.push(items)
        return new Promise<void>((r) => {
          release = r
        })
      },
      () => {},
    )
    q.push([1])
    // The first send is in flight; the queue holds at most 4, the oldest go first.
    q.push([2, 3, 4, 5, 6, 7])
    expect(q.length).toBe(4)
    expect(q.dropped).toBe(2)
    for (let i = 0; i < 3; i++) {
      release?.()
      await new Promise((r) => setImmediate(r))
    }
    expect(sent).toEqual([[1], [4, 5], [6, 7]])
  })

  it('stops and reports when a send fails', async () => {
    const errors: unknown[] = []
    const q = new SendQueue<number>(
      4,
      1,
      () => Promise.reject(new Error('closed')),
      (e) => errors.push(e),
    )
    q.push([1, 2])
    await new Promise((r) => setImmediate(r))
    expect(errors).toHaveLength(1)
    q.push([3])
    expect(q.length).toBe(0)
  })

  it('fills each send up to maxBytes, at least one item (go-ethereum maxTxPacketSize)', async () => {
    const sent: number[][] = []
    const q = new SendQueue<number>(
      100,
      100,
      (items) => {
        sent.push(items)
        return Promise.resolve()
      },
      () => {},
      (n) => n,
      10,
    )
    q.push([4, 4, 4, 20, 1])
    for (let i = 0; i < 10 && sent.flat().length < 5; i++) await Promise.resolve()
    expect(sent).toEqual([[4, 4, 4], [20], [1]])
  })
})
