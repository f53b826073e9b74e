import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noopLogger } from '@x/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bannerText, startBanner, statusInterval, statusText } from '../src/banner.js'
import { parseConfig } from '../src/config.js'
import { AppNode } from '../src/node.js'

let dir = ''
let node: AppNode | undefined
afterEach(async () => {
  vi.useRealTimers()
  await node?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function started(...flags: string[]) {
  dir = await mkdtemp(join(tmpdir(), 'node-app-banner-'))
  const config = parseConfig(['--datadir', join(dir, 'd'), '--port', '0', ...flags], dir)
  if (config === 'help') throw new Error('unreachable')
  node = new AppNode(config, noopLogger, {})
  await node.start()
  const running = node.running
  if (!running) throw new Error('not running')
  return { config, running }
}

describe('the TTY banner', () => {
  it('names the enode, ENR, addresses, network, fork id, data dir and endpoints', async () => {
    const { config, running } = await started('--http.port', '0')
    const text = bannerText(running, config)
    const port = running.server.listenAddress?.port
    expect(text).toContain(`enode      ${running.enode}`)
    expect(text).toMatch(/^ENR {8}enr:[A-Za-z0-9_-]+$/m)
    expect(text).toMatch(
      // All interfaces by default (`--addr`): `[::]` where the host has IPv6, else 0.0.0.0.
      new RegExp(
        `^listening  tcp (\\[::\\]|0\\.0\\.0\\.0):${port}, udp (\\[::\\]|0\\.0\\.0\\.0):\\d+$`,
        'm',
      ),
    )
    expect(text).toMatch(/^network {4}devnet \(network id \d+\)$/m)
    expect(text).toMatch(/^fork id {4}0x[0-9a-f]{8} next \d+$/m)
    expect(text).toContain(`data dir   ${config.datadir}`)
    expect(text).toMatch(/^health {5}http:\/\/127\.0\.0\.1:\d+\/healthz/m)
  })

  it(`then prints the status line every ${statusInterval / 1000} s`, async () => {
    const { config, running } = await started('--nodiscover')
    expect(statusText(running)).toMatch(
      /^status {2}peers 0 \(in 0, out 0\) {2}head #0 0x[0-9a-f]{12}…\n$/,
    )
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const out: string[] = []
    const banner = startBanner(running, config, (t) => out.push(t))
    expect(out).toHaveLength(1)
    vi.advanceTimersByTime(statusInterval * 2)
    banner.stop()
    expect(out.slice(1)).toEqual([statusText(running), statusText(running)])
  })
})
