import { describe, expect, it } from 'vitest'
import { msgPipe, readMsgs } from '../src/index.js'

describe('readMsgs', () => {
  it('yields messages in order and ends with the abort reason, leaving no listener', async () => {
    const [a, b] = msgPipe()
    const ctl = new AbortController()
    let listeners = 0
    const signal = ctl.signal
    const add = signal.addEventListener.bind(signal)
    const remove = signal.removeEventListener.bind(signal)
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++
      add(...args)
    }) as typeof signal.addEventListener
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--
      remove(...args)
    }) as typeof signal.removeEventListener

    await a.writeMsg(1, new Uint8Array([0xc0]))
    await a.writeMsg(2, new Uint8Array([0xc0]))
    const codes: number[] = []
    const reason = new Error('stop')
    const loop = (async () => {
      for await (const msg of readMsgs(b, signal)) {
        codes.push(msg.code)
        if (codes.length === 2) setTimeout(() => ctl.abort(reason), 0)
      }
    })()
    await expect(loop).rejects.toBe(reason)
    expect(codes).toEqual([1, 2])
    expect(listeners).toBe(0)
    a.close()
  })

  it('throws at once when the signal is already aborted', async () => {
    const [a, b] = msgPipe()
    const reason = new Error('gone')
    const it = readMsgs(b, AbortSignal.abort(reason))
    await expect(it.next()).rejects.toBe(reason)
    a.close()
  })

  it('ends with the read error when the pipe closes', async () => {
    const [a, b] = msgPipe()
    const loop = (async () => {
      for await (const _ of readMsgs(b, new AbortController().signal)) {
        // no messages
      }
    })()
    a.close()
    await expect(loop).rejects.toThrow()
  })
})
