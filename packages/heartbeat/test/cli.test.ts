import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { type AggregatorNode, runAggregatorCli } from '../src/index.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function io() {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } }
}

describe('x-heartbeat-aggregator', () => {
  it('starts, prints its enode then its HTTP address, and serves /nodes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hb-cli-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const o = io()
    const node = await runAggregatorCli(
      ['--port', '0', '--http.port', '0', '--datadir', dir, '--period', '5s'],
      o.io,
    )
    expect(typeof node).toBe('object')
    cleanups.push(() => (node as AggregatorNode).stop())
    expect(o.out[0]).toMatch(/^enode:\/\/[0-9a-f]{128}@127\.0\.0\.1:\d+$/)
    expect(o.out[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const res = await fetch(`${o.out[1]}/nodes`)
    expect(await res.json()).toEqual({ highest: 0, nodes: [] })
    expect(o.err.some((l) => JSON.parse(l).msg === 'created node key')).toBe(true)

    // The key persists in the datadir: a second start has the same enode.
    await (node as AggregatorNode).stop()
    const o2 = io()
    const again = await runAggregatorCli(['--port', '0', '--nohttp', '--datadir', dir], o2.io)
    cleanups.push(() => (again as AggregatorNode).stop())
    expect(o2.out).toHaveLength(1)
    expect(o2.out[0]?.split('@')[0]).toBe(o.out[0]?.split('@')[0])
  })

  it('takes a --nodekey', async () => {
    const o = io()
    const key = '11'.repeat(32)
    const node = await runAggregatorCli(['--port', '0', '--nohttp', '--nodekey', key], o.io)
    cleanups.push(() => (node as AggregatorNode).stop())
    expect(o.out[0]).toMatch(
      /^enode:\/\/4f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa/,
    )
  })

  it.each([
    [['--period', '3x']],
    [['--port', '70000']],
    [['--bogus']],
    [['--http.addr', 'localhost']],
    [['--height.threshold', '-1']],
    [['--webhook', 'nope']],
  ])('rejects %j with exit code 2', async (args) => {
    const o = io()
    expect(await runAggregatorCli([...args, '--nodekey', '11'.repeat(32)], o.io)).toBe(2)
    expect(o.err[0]).toMatch(/^x-heartbeat-aggregator: /)
  })

  it('prints help', async () => {
    const o = io()
    expect(await runAggregatorCli(['--help'], o.io)).toBe(0)
    expect(o.out.join('\n')).toContain('--http.port')
  })

  it('names a bad value once, in one line, without the usage text', async () => {
    for (const args of [['--port'], ['--verbosity', '9'], ['--log.format', 'xml']]) {
      const o = io()
      expect(await runAggregatorCli(args, o.io)).toBe(2)
      expect(o.err).toHaveLength(2)
      expect(o.err[1]).toBe('run with --help for the options')
    }
  })

  it('ends quietly when its output pipe is closed (--help | head -1)', async () => {
    const bin = fileURLToPath(new URL('../dist/bin/x-heartbeat-aggregator.js', import.meta.url))
    const child = spawn(process.execPath, [bin, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.destroy()
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c
    })
    const [code] = (await once(child, 'exit')) as [number | null]
    expect(stderr).not.toContain('EPIPE')
    expect(code).toBe(0)
  })
})
