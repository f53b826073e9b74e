import { describe, expect, it } from 'vitest'
import {
  expectMsg,
  msgPipe,
  PipeClosedError,
  readMsgs,
  send,
  sendItems,
  UnexpectedMsgError,
} from '../src/index.js'

describe('msgPipe', () => {
  it('delivers messages in order in both directions', async () => {
    const [a, b] = msgPipe({ now: () => 42 })
    await send(a, 1, [1, 2])
    await sendItems(a, 2, 'x', 3)
    await send(b, 3, [])
    const m1 = await expectMsg(b, 1, [1, 2])
    expect(m1.receivedAt).toBe(42)
    expect(m1.size).toBe(m1.payload.length)
    await expectMsg(b, 2, ['x', 3])
    await expectMsg(a, 3, [])
  })

  it('applies back-pressure when the buffer is full', async () => {
    const [a, b] = msgPipe({ capacity: 1 })
    await a.writeMsg(1, new Uint8Array([0xc0]))
    let done = false
    const blocked = a.writeMsg(2, new Uint8Array([0xc0])).then(() => {
      done = true
    })
    await Promise.resolve()
    expect(done).toBe(false)
    expect((await b.readMsg()).code).toBe(1)
    await blocked
    expect(done).toBe(true)
    expect((await b.readMsg()).code).toBe(2)
  })

  it('rejects pending and later operations on both ends after close', async () => {
    const [a, b] = msgPipe()
    const pending = b.readMsg()
    a.close()
    await expect(pending).rejects.toBeInstanceOf(PipeClosedError)
    await expect(a.writeMsg(1, new Uint8Array())).rejects.toMatchObject({ code: 'ERR_PIPE_CLOSED' })
    await expect(b.readMsg()).rejects.toBeInstanceOf(PipeClosedError)
    expect(a.closed && b.closed).toBe(true)
  })

  it('expectMsg rejects a wrong code or payload', async () => {
    const [a, b] = msgPipe()
    await send(a, 1, [1])
    await expect(expectMsg(b, 2)).rejects.toBeInstanceOf(UnexpectedMsgError)
    await send(a, 1, [1])
    await expect(expectMsg(b, 1, [2])).rejects.toMatchObject({ code: 'ERR_UNEXPECTED_MSG' })
  })
})

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
