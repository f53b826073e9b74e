import dgram from 'node:dgram'
import dns from 'node:dns'
import { mkdtemp, rm } from 'node:fs/promises'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger, isLoopback, normalizeIp } from '@x/core'
import { generatePrivateKey } from '@x/discover'
import { makeTree, memoryTxtResolver } from '@x/discover/testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type NodeConfig, parseConfig } from '../src/config.js'
import { AppNode } from '../src/node.js'

// In-process nodes, so the test sees every name lookup and every packet the node makes.

let dir: string
const nodes: AppNode[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'x-boot-'))
})
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
  vi.restoreAllMocks()
  syncBuiltinESMExports()
  await rm(dir, { recursive: true, force: true })
})

const log = () => createLogger({ level: 'error', format: 'json', write: () => {} })

function config(name: string, ...argv: string[]): NodeConfig {
  const c = parseConfig(['--datadir', join(dir, name), '--port', '0', ...argv])
  if (c === 'help') throw new Error('unreachable')
  return c
}

async function start(c: NodeConfig, resolvers = {}): Promise<AppNode> {
  const n = new AppNode(c, log(), {}, resolvers)
  nodes.push(n)
  await n.start()
  return n
}

// 127.0.0.0/8, also as an IPv4-mapped address (a dual-stack `::` socket sends to ::ffff:127.x).
const onLoopback = (ip: string): boolean => {
  try {
    return isLoopback(ip) && normalizeIp(ip).startsWith('127.')
  } catch {
    return false
  }
}

describe('the default node stays on this machine', () => {
  it('makes no DNS lookup and sends nothing beyond 127.0.0.0/8', async () => {
    const lookups: string[] = []
    const sent: string[] = []
    // Spies that pass through: dgram and net call dns.lookup even for IP literals.
    const spy = <T extends object>(obj: T, key: keyof T) => {
      const original = obj[key] as (...a: unknown[]) => unknown
      vi.spyOn(obj, key as never).mockImplementation(function (this: unknown, ...args: unknown[]) {
        const name = String(args[0])
        if (net.isIP(name) === 0) lookups.push(name)
        return original.apply(this, args)
      } as never)
    }
    spy(dns, 'lookup')
    spy(dns.promises, 'lookup')
    spy(dns, 'resolveTxt')
    spy(dns.promises.Resolver.prototype, 'resolveTxt')
    const send = dgram.Socket.prototype.send
    vi.spyOn(dgram.Socket.prototype, 'send').mockImplementation(function (
      this: dgram.Socket,
      ...args: unknown[]
    ) {
      sent.push(String(args.find((a) => typeof a === 'string' && /[.:]/.test(a)) ?? '?'))
      return (send as (...a: unknown[]) => void).apply(this, args)
    } as never)
    const connect = net.Socket.prototype.connect
    vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (
      this: net.Socket,
      ...args: unknown[]
    ) {
      // net.connect hands Socket#connect its normalized arguments as one array.
      const first = Array.isArray(args[0]) ? args[0][0] : args[0]
      const o = first as { host?: string; path?: string } | number
      if (typeof o !== 'object' || o.path === undefined) {
        sent.push(typeof o === 'object' ? String(o.host ?? 'localhost') : String(args[1]))
      }
      return (connect as (...a: unknown[]) => net.Socket).apply(this, args)
    } as never)
    syncBuiltinESMExports()

    const c = config('local')
    expect(c).toMatchObject({ network: 'devnet', bootnodes: [], dnsDiscovery: [], ntp: false })
    const n = await start(c)
    const d = n.running?.server.discovery
    if (!d) throw new Error('no discovery')
    // The first table refresh (seeds, self lookup, 3 random lookups) has run to its end.
    await d.refresh()
    expect(lookups).toEqual([])
    expect(sent.filter((ip) => !onLoopback(ip))).toEqual([])
    // The recorders do see traffic: a second devnet node bootstrapping from the first.
    const b = await start(config('local-b', '--bootnodes', String(n.running?.enode)))
    await b.running?.server.discovery?.refresh()
    expect(sent.some(onLoopback)).toBe(true)
    expect(lookups).toEqual([])
    expect(sent.filter((ip) => !onLoopback(ip))).toEqual([])
  })
})

describe('DNS discovery in node-app', () => {
  it('dials a node listed in a DNS tree, through the injected TXT resolver', async () => {
    const a = await start(config('a'))
    const enr = a.running?.server.discovery?.udp.enr
    if (!enr) throw new Error('no record')
    const tree = makeTree({
      privateKey: generatePrivateKey(),
      domain: 'nodes.devp2p.test',
      nodes: [enr],
    })
    const resolver = memoryTxtResolver(tree)
    const b = await start(config('b', '--discovery.dns', tree.url), { txt: resolver })
    const server = b.running?.server
    if (!server) throw new Error('not running')
    const added = new Promise<string>((resolve) =>
      server.addEventListener('peer:added', (e) => resolve(e.detail.peer.id.toString())),
    )
    const started = performance.now()
    const peer = await added
    console.info(
      `DNS discovery: peer from the tree after ${(performance.now() - started).toFixed(0)} ms, ${resolver.lookups} TXT lookups`,
    )
    expect(peer).toBe(a.running?.self.id.toString())
    expect(resolver.lookups).toBeGreaterThanOrEqual(3)
  })
})
