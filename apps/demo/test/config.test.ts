import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseDemoArgs } from '../src/config.js'

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))

describe('demo flags', () => {
  it('defaults to a devnet of 8 nodes; story takes no devnet options', () => {
    expect(parseDemoArgs([])).toEqual({ mode: 'devnet', nodes: 8, port: 0, beatMs: 1000 })
    expect(parseDemoArgs(['--', 'story'])).toEqual({ mode: 'story' })
    expect(parseDemoArgs(['devnet', '--nodes', '50'])).toMatchObject({ nodes: 50 })
    expect(() => parseDemoArgs(['story', '--nodes', '3'])).toThrow(/devnet options/)
    expect(() => parseDemoArgs(['--nodes', '51'])).toThrow(/--nodes must be an integer 2-50/)
    expect(() => parseDemoArgs(['--nodes', 'x'])).toThrow(/--nodes/)
    expect(() => parseDemoArgs(['--bogus'])).toThrow(/bogus/)
    expect(() => parseDemoArgs(['play'])).toThrow(/unknown mode/)
  })

  it('reads --beat as a duration, as every CLI here ("500ms", "2s"; a bare number is ms)', () => {
    expect(parseDemoArgs(['--beat', '500ms'])).toMatchObject({ beatMs: 500 })
    expect(parseDemoArgs(['--beat', '2s'])).toMatchObject({ beatMs: 2_000 })
    expect(parseDemoArgs(['--beat', '300'])).toMatchObject({ beatMs: 300 })
    expect(() => parseDemoArgs(['--beat', '2x'])).toThrow(/--beat: "2x" is not a duration/)
    expect(() => parseDemoArgs(['--beat', '2m'])).toThrow(/--beat must be 200ms-1m/)
    expect(() => parseDemoArgs(['--nodes'])).toThrow(/^Option '--nodes <value>' argument missing$/)
  })

  it('a bad flag: one line on stderr, exit 2, within a second', () => {
    // Within a second of what `--help` takes (process start and module loading, which a loaded
    // machine stretches): the flag is refused before anything starts.
    let t0 = Date.now()
    expect(spawnSync(process.execPath, [main, '--help'], { encoding: 'utf8' }).status).toBe(0)
    const baseline = Date.now() - t0
    t0 = Date.now()
    const r = spawnSync(process.execPath, [main, '--nodes', '0'], { encoding: 'utf8' })
    expect(Date.now() - t0 - baseline).toBeLessThan(1_000)
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toEqual([
      'demo: --nodes must be an integer 2-50, got "0" (--help for usage)',
    ])
  })
})
