import { encodeRlp } from '@x/core'
import { describe, expect, it } from 'vitest'
import { decodePingMsg, encodePingMsg, HealthError, pingNonceSize } from '../../src/index.js'

describe('ping/1 wire', () => {
  it('round-trips a 32-byte nonce as [nonce]', () => {
    const nonce = Uint8Array.from({ length: pingNonceSize }, (_, i) => i)
    const enc = encodePingMsg(nonce)
    expect(enc).toEqual(encodeRlp([nonce]))
    expect(enc.length).toBe(34)
    expect(decodePingMsg(enc)).toEqual(nonce)
  })

  it('ignores extra list elements', () => {
    const nonce = new Uint8Array(32).fill(7)
    expect(decodePingMsg(encodeRlp([nonce, 1, 'x']))).toEqual(nonce)
  })

  it.each([
    ['a short nonce', encodeRlp([new Uint8Array(31)])],
    ['a long nonce', encodeRlp([new Uint8Array(33)])],
    ['a bare string', encodeRlp(new Uint8Array(32))],
    ['an empty list', encodeRlp([])],
    ['garbage', Uint8Array.of(0xff, 0x01)],
    ['an oversized message', encodeRlp([new Uint8Array(32), new Uint8Array(40)])],
  ])('rejects %s with ERR_BAD_PING_MSG', (_, payload) => {
    const err = (() => {
      try {
        decodePingMsg(payload)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(HealthError)
    expect((err as HealthError).code).toBe('ERR_BAD_PING_MSG')
  })

  it('refuses to encode a nonce of the wrong size', () => {
    expect(() => encodePingMsg(new Uint8Array(16))).toThrow(HealthError)
  })
})
