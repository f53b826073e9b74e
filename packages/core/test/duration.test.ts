import { describe, expect, it } from 'vitest'
import { CoreError, formatDuration, parseDuration } from '../src/index.js'

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['3s', 3_000],
    ['10s', 10_000],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['1.5s', 1_500],
    ['2h', 7_200_000],
    [' 3s ', 3_000],
    [250, 250],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each([
    '',
    '3',
    's',
    '-3s',
    '3 s',
    '3sec',
    '1d',
    '0s',
    '0.5ms',
    '25h',
    'abc',
    '3s-',
    0,
    -5,
    Number.NaN,
    1.5,
  ])('rejects %j with ERR_INVALID_DURATION naming the option', (text) => {
    let err: unknown
    try {
      parseDuration(text, 'beatPeriod')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(CoreError)
    expect((err as CoreError).code).toBe('ERR_INVALID_DURATION')
    expect((err as CoreError).message).toContain('beatPeriod')
  })

  it('formats what it parses', () => {
    for (const ms of [1, 500, 3_000, 90_000, 3_723_004]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms)
    }
    expect(formatDuration(90_000)).toBe('1m30s')
  })
})
