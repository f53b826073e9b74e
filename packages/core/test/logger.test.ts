import { describe, expect, it } from 'vitest'
import { createLogger, isLogLevel, verbosityLevel } from '../src/index.js'

const time = () => '2026-01-01T00:00:00.000Z'

describe('createLogger', () => {
  it('writes JSON lines with time, level, message and fields, dropping lower levels', () => {
    const lines: string[] = []
    const log = createLogger({ level: 'info', write: (l) => lines.push(l), time })
    log.debug('hidden')
    log.child({ peer: 'ab' }).info('hello', { n: 1n, id: Uint8Array.of(1, 2) })
    log.error('failed', { err: Object.assign(new Error('boom'), { code: 'ERR_X' }) })
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { t: time(), level: 'info', msg: 'hello', peer: 'ab', n: '1', id: '0x0102' },
      { t: time(), level: 'error', msg: 'failed', err: 'Error: boom (ERR_X)' },
    ])
  })

  it('writes logfmt, quoting what needs it', () => {
    const lines: string[] = []
    const log = createLogger({ format: 'logfmt', write: (l) => lines.push(l), time })
    log.warn('peer dropped', { reason: 'too many peers', port: 30303, empty: '', skip: undefined })
    expect(lines).toEqual([
      `t=${time()} level=warn msg="peer dropped" reason="too many peers" port=30303 empty=""`,
    ])
  })

  it('keeps t, level and msg whatever the fields say', () => {
    const lines: string[] = []
    createLogger({ write: (l) => lines.push(l), time })
      .child({ level: 'x' })
      .info('real', { msg: 'fake', t: 0 })
    expect(JSON.parse(lines[0] as string)).toEqual({ t: time(), level: 'info', msg: 'real' })
  })

  it('knows its levels', () => {
    expect(['debug', 'info', 'warn', 'error'].every(isLogLevel)).toBe(true)
    expect(isLogLevel('trace')).toBe(false)
    expect(isLogLevel('toString')).toBe(false)
  })
})

describe('terminal format and verbosity', () => {
  it("aligns the fields after the message, as geth's terminal format", () => {
    const lines: string[] = []
    const log = createLogger({ format: 'terminal', write: (l) => lines.push(l), time })
    log.info('peer added', { peer: '0123456789abcdef', inbound: true, client: 'Geth/v1 x' })
    log.info('node started', { protocols: ['eth/69', 'ping/1'] })
    log.warn('bare')
    expect(lines).toEqual([
      `INFO [01-01|00:00:00.000] peer added${' '.repeat(30)} peer=0123456789abcdef inbound=true client="Geth/v1 x"`,
      `INFO [01-01|00:00:00.000] node started${' '.repeat(28)} protocols=eth/69,ping/1`,
      'WARN [01-01|00:00:00.000] bare',
    ])
  })

  it('colours the level and the keys only when asked', () => {
    const lines: string[] = []
    createLogger({ format: 'terminal', color: true, write: (l) => lines.push(l), time }).error(
      'boom',
      { err: 'x' },
    )
    expect(lines[0]).toContain('\x1b[31mERROR\x1b[0m')
    expect(lines[0]).toContain('\x1b[31merr\x1b[0m=x')
  })

  it("maps geth's --verbosity 0-5 to levels; 0 logs nothing", () => {
    expect([0, 1, 2, 3, 4, 5].map(verbosityLevel)).toEqual([
      'silent',
      'error',
      'warn',
      'info',
      'debug',
      'debug',
    ])
    expect(() => verbosityLevel(6)).toThrow(RangeError)
    const lines: string[] = []
    createLogger({ level: 'silent', write: (l) => lines.push(l) }).error('hidden')
    expect(lines).toEqual([])
  })
})
