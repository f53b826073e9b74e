import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { MsgCode } from '../src/messages/codes.js'
import { Requests, trackTimeout } from '../src/requests.js'

// go-ethereum's p2p/tracker rules for responses (Fulfil): unsolicited, wrong code, too many
// items are protocol violations; a late answer within the tracking window is not.

function requests() {
  const clock = new ManualClock()
  const sent: bigint[] = []
  const r = new Requests(clock, 1_000, 8, () => Promise.resolve())
  const send = (code: number, size: number) => {
    const p = r.send(code, size, (id) => {
      sent.push(id)
      return new Uint8Array()
    })
    p.catch(() => {})
    return { p, id: sent[sent.length - 1] as bigint }
  }
  return { clock, r, send }
}

const code = (fn: () => void) => {
  try {
    fn()
  } catch (e) {
    return (e as { code: string }).code
  }
}

describe('Requests.fulfil (go-ethereum tracker.Fulfil)', () => {
  it('accepts a response to a request sent, once', () => {
    const { r, send } = requests()
    const { id } = send(MsgCode.GetBlockBodies, 2)
    expect(code(() => r.fulfil(MsgCode.BlockBodies, id, 2))).toBeUndefined()
    expect(code(() => r.fulfil(MsgCode.BlockBodies, id, 2))).toBe('ERR_UNEXPECTED_RESPONSE')
  })

  it('refuses an unsolicited response, a wrong code and too many items', () => {
    const { r, send } = requests()
    const { id } = send(MsgCode.GetBlockHeaders, 3)
    expect(code(() => r.fulfil(MsgCode.BlockHeaders, id + 100n, 1))).toBe('ERR_UNEXPECTED_RESPONSE')
    expect(code(() => r.fulfil(MsgCode.BlockBodies, id, 1))).toBe('ERR_UNEXPECTED_RESPONSE')
    expect(code(() => r.fulfil(MsgCode.BlockHeaders, id, 4))).toBe('ERR_UNEXPECTED_RESPONSE')
  })

  it('a late response after the caller timed out is still solicited, until the tracking window ends', async () => {
    const { r, send, clock } = requests()
    const late = send(MsgCode.GetPooledTransactions, 1)
    const expired = send(MsgCode.GetPooledTransactions, 1)
    await clock.advance(2_000)
    await expect(late.p).rejects.toMatchObject({ code: 'ERR_REQUEST_TIMEOUT' })
    expect(code(() => r.fulfil(MsgCode.PooledTransactions, late.id, 1))).toBeUndefined()
    await clock.advance(trackTimeout)
    expect(code(() => r.fulfil(MsgCode.PooledTransactions, expired.id, 1))).toBe(
      'ERR_UNEXPECTED_RESPONSE',
    )
  })
})
