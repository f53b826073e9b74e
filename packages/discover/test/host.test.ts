import { createLogger, started, TimeoutError } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Discovery } from '../src/discovery.js'
import { EnodeError, HostError } from '../src/errors.js'
import { type HostResolver, isEnodeHost, parseEnodeTarget, resolveEnodeHost } from '../src/host.js'
import { generatePrivateKey } from '../src/key.js'
import { nodeIdFromPrivateKey } from '../src/node.js'

const id = nodeIdFromPrivateKey(generatePrivateKey())
const hex = Buffer.from(id).toString('hex')

const table = (m: Record<string, string[]>): HostResolver & { asked: string[] } => {
  const asked: string[] = []
  return Object.assign(
    async (host: string) => {
      asked.push(host)
      const a = m[host]
      if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
      return a
    },
    { asked },
  )
}

describe('parseEnodeTarget', () => {
  it('gives a Node for an IP and a host to resolve for a DNS name', () => {
    expect(isEnodeHost(parseEnodeTarget(`enode://${hex}@10.0.0.1:30303`))).toBe(false)
    const t = parseEnodeTarget(`enode://${hex}@boot.example.org:30303?discport=30301`)
    expect(isEnodeHost(t)).toBe(true)
    expect(t).toMatchObject({ host: 'boot.example.org', tcp: 30303, udp: 30301, idHex: hex })
  })
  it('still refuses what is neither', () => {
    for (const bad of ['bad_host!', '-x.org', '999.1.1.1', `${'a'.repeat(64)}.org`]) {
      expect(() => parseEnodeTarget(`enode://${hex}@${bad}:30303`)).toThrow(EnodeError)
    }
    expect(() => parseEnodeTarget(`enode://${hex.slice(2)}@boot.org:30303`)).toThrow(EnodeError)
  })
})

describe('resolveEnodeHost', () => {
  const target = parseEnodeTarget(`enode://${hex}@boot.test:30303`)
  if (!isEnodeHost(target)) throw new Error('unreachable')

  it('takes the first IPv4 address, else the first IPv6', async () => {
    const r = table({ 'boot.test': ['::1', '127.0.0.7', '127.0.0.8'] })
    expect((await resolveEnodeHost(target, { resolver: r })).ip).toBe('127.0.0.7')
    const v6 = table({ 'boot.test': ['garbage', '::1'] })
    expect((await resolveEnodeHost(target, { resolver: v6 })).ip).toBe('::1')
  })

  it('a name that does not resolve, or has no address, is a HostError', async () => {
    for (const r of [table({}), table({ 'boot.test': [] })]) {
      const e = await resolveEnodeHost(target, { resolver: r }).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(HostError)
      expect((e as HostError).code).toBe('ERR_HOST_UNRESOLVED')
    }
  })

  it('a resolver that never answers is a HostError after the timeout, on the injected clock', async () => {
    const clock = new ManualClock()
    const p = resolveEnodeHost(target, { resolver: () => new Promise(() => {}), clock }).catch(
      (x: unknown) => x,
    )
    await clock.advance(5_000)
    const e = await p
    expect(e).toBeInstanceOf(HostError)
    expect((e as HostError).cause).toBeInstanceOf(TimeoutError)
    expect(clock.pending).toBe(0)
  })
})

describe('Discovery with host-name bootnodes', () => {
  const running: Discovery[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()))
  })

  it('resolves them at start and bonds; a name that does not resolve is logged, not fatal', async () => {
    const boot = await started(
      new Discovery({ privateKey: generatePrivateKey(), host: '127.0.0.1', port: 0, ntp: false }),
    )
    running.push(boot)
    const resolver = table({ 'boot.devp2p.test': ['127.0.0.1'] })
    const lines: string[] = []
    const logger = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) })
    const d = new Discovery({
      privateKey: generatePrivateKey(),
      host: '127.0.0.1',
      port: 0,
      ntp: false,
      logger,
      hostResolver: resolver,
      bootnodes: [
        `enode://${boot.self.idHex}@boot.devp2p.test:${boot.self.udp}`,
        `enode://${hex}@nowhere.devp2p.test:30303`,
      ],
    })
    running.push(d)
    await d.start()
    expect(resolver.asked.sort()).toEqual(['boot.devp2p.test', 'nowhere.devp2p.test'])
    await vi.waitFor(() => expect(d.table.has(boot.self.id)).toBe(true), { timeout: 5_000 })
    const warn = lines
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'bootnode host did not resolve')
    expect(warn).toMatchObject({ host: 'nowhere.devp2p.test', code: 'ERR_HOST_UNRESOLVED' })
  })
})
