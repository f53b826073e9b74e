import { describe, expect, it } from 'vitest'
import {
  expectMsg,
  msgPipe,
  PipeClosedError,
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
