import { createServer, type Server, Socket } from 'node:net'
import { ManualClock } from '@x/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { checkTcp, tcpFailure, tcpFailureKind } from '../src/index.js'

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer((sock) => sock.destroy())
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const addr = server.address()
  if (addr === null || typeof addr === 'string') throw new Error('no address')
  return { server, port: addr.port }
}

describe('checkTcp', () => {
  it('reports a reachable endpoint with its connect time', async () => {
    const { port } = await listen()
    const r = await checkTcp('127.0.0.1', port)
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.connectTime).toBeGreaterThanOrEqual(0)
  })

  it('reports a closed port as refused', async () => {
    const { server, port } = await listen()
    await new Promise((r) => server.close(r))
    servers.length = 0
    const r = await checkTcp('127.0.0.1', port)
    expect(r.ok).toBe(false)
    expect(r).toMatchObject({
      ok: false,
      failure: 'refused',
      error: { code: 'ERR_CONNECT_REFUSED' },
    })
  })

  it('times out on the injected clock and destroys the socket', async () => {
    const clock = new ManualClock()
    const socket = new Socket()
    const p = checkTcp('192.0.2.1', 30303, { clock, timeout: 1000, connect: () => socket })
    await clock.advance(1000)
    const r = await p
    expect(r.ok).toBe(false)
    expect(r).toMatchObject({
      ok: false,
      failure: 'timeout',
      error: { code: 'ERR_CONNECT_TIMEOUT' },
    })
    expect(socket.destroyed).toBe(true)
    expect(clock.pending).toBe(0)
  })

  it('reports routing failures as unreachable', async () => {
    const clock = new ManualClock()
    const socket = new Socket()
    const p = checkTcp('192.0.2.1', 30303, { clock, connect: () => socket })
    socket.emit('error', Object.assign(new Error('no route'), { code: 'EHOSTUNREACH' }))
    const r = await p
    expect(r).toMatchObject({
      ok: false,
      failure: 'unreachable',
      error: { code: 'ERR_UNREACHABLE' },
    })
    expect(clock.pending).toBe(0)
  })

  it('maps socket error codes', () => {
    const code = (c: string) => tcpFailure(Object.assign(new Error(c), { code: c })).code
    expect(code('ECONNREFUSED')).toBe('ERR_CONNECT_REFUSED')
    expect(code('ETIMEDOUT')).toBe('ERR_CONNECT_TIMEOUT')
    expect(code('ENETUNREACH')).toBe('ERR_UNREACHABLE')
    expect(code('ENOTFOUND')).toBe('ERR_UNREACHABLE')
    expect(tcpFailureKind({ code: 'ECONNREFUSED' })).toBe('refused')
    expect(tcpFailureKind(new Error('?'))).toBe('unreachable')
  })

  it('rejects when aborted', async () => {
    const clock = new ManualClock()
    const socket = new Socket()
    const ctl = new AbortController()
    const p = checkTcp('192.0.2.1', 1, { clock, signal: ctl.signal, connect: () => socket })
    ctl.abort(new Error('stop'))
    await expect(p).rejects.toThrow('stop')
    expect(socket.destroyed).toBe(true)
    expect(clock.pending).toBe(0)
  })
})
