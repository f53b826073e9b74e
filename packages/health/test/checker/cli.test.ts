import { createServer, type Server } from 'node:net'
import { formatEnode, generatePrivateKey, Node, nodeIdFromPrivateKey } from '@x/discover'
import { afterEach, describe, expect, it } from 'vitest'
import { type CheckDialer, parseCheckArgs, runCheckCli } from '../../src/index.js'

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

function io() {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } }
}

const failingDial: CheckDialer = async () => {
  throw Object.assign(new Error('no RLPx'), { code: 'ERR_HANDSHAKE' })
}

describe('parseCheckArgs', () => {
  it('parses the enode and options', () => {
    expect(parseCheckArgs(['enode://x', '--json', '--timeout', '100'])).toEqual({
      enode: 'enode://x',
      json: true,
      timeout: 100,
    })
    expect(parseCheckArgs(['--timeout=7', 'e'])).toEqual({ enode: 'e', json: false, timeout: 7 })
    expect(parseCheckArgs(['-h'])).toBe('help')
  })

  it('returns usage errors', () => {
    expect(parseCheckArgs([])).toBe('missing enode URL')
    expect(parseCheckArgs(['a', 'b'])).toBe('unexpected argument b')
    expect(parseCheckArgs(['a', '--nope'])).toBe('unknown option --nope')
    expect(parseCheckArgs(['a', '--timeout'])).toMatch(/--timeout/)
    expect(parseCheckArgs(['a', '--timeout', '-1'])).toMatch(/--timeout/)
  })

  it('reads --timeout as a duration, as every CLI here ("500ms", "5s")', () => {
    expect(parseCheckArgs(['a', '--timeout', '500ms'])).toMatchObject({ timeout: 500 })
    expect(parseCheckArgs(['a', '--timeout=5s'])).toMatchObject({ timeout: 5_000 })
    expect(parseCheckArgs(['a', '--timeout', '5x'])).toBe(
      '--timeout: "5x" is not a duration like "500ms", "3s" or "1m"',
    )
  })
})

describe('runCheckCli', () => {
  it('exits 2 on usage errors and bad enode URLs', async () => {
    const a = io()
    expect(await runCheckCli([], { dial: failingDial, io: a.io })).toBe(2)
    expect(a.err.join('')).toBe(
      'x-health-check: missing enode URL\nrun with --help for the options\n',
    )
    const b = io()
    expect(await runCheckCli(['enode://zz@1.2.3.4:1'], { dial: failingDial, io: b.io })).toBe(2)
    expect(b.err.join('')).toContain('x-health-check:')
  })

  it('prints help and exits 0', async () => {
    const a = io()
    expect(await runCheckCli(['--help'], { dial: failingDial, io: a.io })).toBe(0)
    expect(a.out.join('')).toContain('usage: x-health-check')
  })

  it('exits 1 with a JSON report when a check fails', async () => {
    const server = createServer((s) => s.destroy())
    servers.push(server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as { port: number }).port
    const node = new Node({
      id: nodeIdFromPrivateKey(generatePrivateKey()),
      ip: '127.0.0.1',
      udp: port,
      tcp: port,
    })
    const a = io()
    const code = await runCheckCli([formatEnode(node), '--json'], { dial: failingDial, io: a.io })
    expect(code).toBe(1)
    const report = JSON.parse(a.out.join(''))
    expect(report.ok).toBe(false)
    expect(report.steps.map((s: { status: string }) => s.status)).toEqual([
      'pass',
      'fail',
      'skip',
      'skip',
    ])
  })
})
