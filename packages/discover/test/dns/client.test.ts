import { TimeoutError } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DnsClient,
  dnsNodes,
  formatRoot,
  parseRoot,
  signRoot,
  subdomain,
} from '../../src/dns/index.js'
import { Enr } from '../../src/enr/enr.js'
import { DnsError } from '../../src/errors.js'
import { generatePrivateKey } from '../../src/key.js'
import type { Node } from '../../src/node.js'
import { makeTree, memoryTxtResolver } from '../../src/testing/dns-tree.js'
import fixture from '../fixtures/dnsdisc-tree.json' with { type: 'json' }

const treeKey = generatePrivateKey()
const enrs = (n: number, base = 1) =>
  Array.from({ length: n }, (_, i) =>
    Enr.create({
      privateKey: generatePrivateKey(),
      seq: 1n,
      ip: `127.0.${base}.${i + 1}`,
      udp: 30303,
      tcp: 30303,
    }),
  )

const fast = { rateLimit: Number.POSITIVE_INFINITY }
const controllers: AbortController[] = []
const signal = () => {
  const ac = new AbortController()
  controllers.push(ac)
  return ac.signal
}
afterEach(() => {
  for (const c of controllers.splice(0)) c.abort()
})

async function take(it: AsyncIterator<Node>, n: number): Promise<Node[]> {
  const out: Node[] = []
  while (out.length < n) {
    const r = await it.next()
    if (r.done) break
    out.push(r.value)
  }
  return out
}

async function rejection(p: Promise<unknown>): Promise<DnsError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(DnsError)
  return e as DnsError
}

describe('DnsClient.syncTree', () => {
  it("syncs go-ethereum's TestClientSyncTree tree", async () => {
    const client = new DnsClient({
      resolver: memoryTxtResolver(
        new Map(Object.entries(fixture.records).map(([k, v]) => [k, [v]])),
      ),
      ...fast,
    })
    const t = await client.syncTree(fixture.url, { signal: signal() })
    expect(t.root.seq).toBe(1)
    expect(t.links).toEqual(fixture.links)
    expect(t.enrs.map((e) => e.toText()).sort()).toEqual([...fixture.nodes].sort())
  })

  it('syncs a tree of 40 nodes it signed itself (branches of branches)', async () => {
    const nodes = enrs(40)
    const tree = makeTree({ privateKey: treeKey, domain: 'nodes.test', nodes })
    const client = new DnsClient({ resolver: memoryTxtResolver(tree), ...fast })
    const t = await client.syncTree(tree.url, { signal: signal() })
    expect(new Set(t.enrs.map((e) => e.toText()))).toEqual(new Set(nodes.map((e) => e.toText())))
  })
})

describe('bad trees are typed errors, never a hang', () => {
  const nodes = enrs(3)
  const good = () => makeTree({ privateKey: treeKey, domain: 'nodes.test', nodes })

  it('a root signed by another key: ERR_DNS_BAD_SIGNATURE', async () => {
    const forged = makeTree({ privateKey: generatePrivateKey(), domain: 'nodes.test', nodes })
    const client = new DnsClient({ resolver: memoryTxtResolver(forged), ...fast })
    const e = await rejection(client.syncTree(good().url, { signal: signal() }))
    expect(e.code).toBe('ERR_DNS_BAD_SIGNATURE')
  })

  it('a record that does not hash to its name: ERR_DNS_HASH_MISMATCH', async () => {
    const tree = good()
    const leaf = [...tree.records.keys()].find((k) => tree.records.get(k)![0]!.startsWith('enr:'))!
    tree.records.set(leaf, [enrs(1, 9)[0]!.toText()])
    const client = new DnsClient({ resolver: memoryTxtResolver(tree), ...fast })
    const e = await rejection(client.syncTree(tree.url, { signal: signal() }))
    expect(e.code).toBe('ERR_DNS_HASH_MISMATCH')
  })

  it('a branch that names itself (a loop) cannot pass the hash check', async () => {
    const tree = good()
    const root = tree.records.get('nodes.test')![0]!
    const eroot = /e=([A-Z2-7]+)/.exec(root)![1]!
    tree.records.set(`${eroot}.nodes.test`, [`enrtree-branch:${eroot}`])
    const client = new DnsClient({ resolver: memoryTxtResolver(tree), ...fast })
    expect((await rejection(client.syncTree(tree.url, { signal: signal() }))).code).toBe(
      'ERR_DNS_HASH_MISMATCH',
    )
  })

  it('a DAG that repeats a child is walked once per hash; a huge tree hits the bound', async () => {
    // A valid tree whose branches all name the same child 13 times, 6 levels deep: 13^6
    // paths, 7 distinct hashes.
    const leaf = nodes[0]!.toText()
    const records = new Map<string, string[]>()
    let child = subdomain(leaf)
    records.set(`${child}.dag.test`, [leaf])
    for (let i = 0; i < 6; i++) {
      const branch = `enrtree-branch:${Array(13).fill(child).join(',')}`
      child = subdomain(branch)
      records.set(`${child}.dag.test`, [branch])
    }
    const tree = makeTree({ privateKey: treeKey, domain: 'dag.test' })
    const old = parseRoot(tree.records.get('dag.test')![0]!)
    const root = signRoot({ eroot: child, lroot: old.lroot, seq: 2 }, treeKey)
    const resolver = memoryTxtResolver(tree, records)
    resolver.records.set('dag.test', [formatRoot(root)])
    const client = new DnsClient({ resolver, ...fast })
    const t = await client.syncTree(tree.url, { signal: signal() })
    expect(t.enrs).toHaveLength(1)
    expect(resolver.lookups).toBeLessThan(12)
    const small = new DnsClient({
      resolver: memoryTxtResolver(
        makeTree({ privateKey: treeKey, domain: 'nodes.test', nodes: enrs(30) }),
      ),
      ...fast,
      maxTreeEntries: 10,
    })
    expect((await rejection(small.syncTree(good().url, { signal: signal() }))).code).toBe(
      'ERR_DNS_TREE_TOO_LARGE',
    )
  })

  it('an oversized record: ERR_DNS_RECORD_TOO_LARGE', async () => {
    const tree = good()
    tree.records.set('nodes.test', [`${tree.records.get('nodes.test')![0]} ${'x'.repeat(600)}`])
    const client = new DnsClient({ resolver: memoryTxtResolver(tree), ...fast })
    expect((await rejection(client.syncTree(tree.url, { signal: signal() }))).code).toBe(
      'ERR_DNS_RECORD_TOO_LARGE',
    )
  })

  it('no root, no record, a node in the link tree, a failing resolver', async () => {
    const tree = good()
    const url = tree.url
    const noRoot = memoryTxtResolver(tree)
    noRoot.records.set('nodes.test', ['v=spf1 -all'])
    expect(
      (
        await rejection(
          new DnsClient({ resolver: noRoot, ...fast }).syncTree(url, { signal: signal() }),
        )
      ).code,
    ).toBe('ERR_DNS_NO_ROOT')
    const missing = memoryTxtResolver(tree)
    for (const k of [...missing.records.keys()]) if (k !== 'nodes.test') missing.records.delete(k)
    expect(
      (
        await rejection(
          new DnsClient({ resolver: missing, ...fast }).syncTree(url, { signal: signal() }),
        )
      ).code,
    ).toBe('ERR_DNS_LOOKUP')
    // The node tree's root used as the link root.
    const mixed = memoryTxtResolver(tree)
    const r = parseRoot(tree.records.get('nodes.test')![0]!)
    mixed.records.set('nodes.test', [
      formatRoot(signRoot({ eroot: r.eroot, lroot: r.eroot, seq: 1 }, treeKey)),
    ])
    expect(
      (
        await rejection(
          new DnsClient({ resolver: mixed, ...fast }).syncTree(url, { signal: signal() }),
        )
      ).code,
    ).toBe('ERR_DNS_ENR_IN_LINK_TREE')
  })

  it('a resolver that never answers times out on the injected clock', async () => {
    const clock = new ManualClock()
    const client = new DnsClient({ resolver: () => new Promise(() => {}), clock, ...fast })
    const p = client.syncTree(good().url, { signal: signal() }).catch((e: unknown) => e)
    await clock.advance(5_000)
    expect(await p).toBeInstanceOf(TimeoutError)
    expect(clock.pending).toBe(0)
  })
})

describe('dnsNodes: the lazy random walk', () => {
  it('yields every node of a tree and of the trees it links to (a link loop included)', async () => {
    const keyB = generatePrivateKey()
    const aNodes = enrs(20, 1)
    const bNodes = enrs(5, 2)
    const urlB = makeTree({ privateKey: keyB, domain: 'b.test' }).url
    const urlA = makeTree({ privateKey: treeKey, domain: 'a.test' }).url
    const a = makeTree({ privateKey: treeKey, domain: 'a.test', nodes: aNodes, links: [urlB] })
    const b = makeTree({ privateKey: keyB, domain: 'b.test', nodes: bNodes, links: [urlA] })
    const resolver = memoryTxtResolver(a, b)
    const client = new DnsClient({ resolver, ...fast })
    const it = dnsNodes(client, [a.url], { signal: signal() })
    const want = new Set([...aNodes, ...bNodes].map((e) => e.nodeId.toString()))
    const seen = new Set<string>()
    for (let i = 0; i < 400 && seen.size < want.size; i++) {
      const [n] = await take(it, 1)
      seen.add(n!.id.toString())
    }
    expect(seen).toEqual(want)
    await it.return()
  })

  it('an empty tree waits for its root re-check on the clock, rate-limited, and ends on abort', async () => {
    const clock = new ManualClock()
    const tree = makeTree({ privateKey: treeKey, domain: 'empty.test' })
    const resolver = memoryTxtResolver(tree)
    const client = new DnsClient({ resolver, clock })
    const ac = new AbortController()
    const it = dnsNodes(client, [tree.url], { signal: ac.signal })
    const next = it.next()
    await clock.advance(60_000)
    const before = resolver.lookups
    expect(before).toBeLessThanOrEqual(4) // root, two empty subtrees
    await clock.advance(10 * 60_000)
    expect(resolver.lookups).toBe(before) // no spinning while waiting
    await clock.advance(30 * 60_000)
    expect(resolver.lookups).toBeGreaterThan(before) // the 30 min root re-check
    ac.abort()
    expect(await next).toEqual({ done: true, value: undefined })
    expect(clock.pending).toBe(0)
  })

  it('a tree whose root fails keeps failing slowly (rate limit, then slowdown), never ends by itself', async () => {
    const clock = new ManualClock()
    let lookups = 0
    const client = new DnsClient({
      clock,
      resolver: async () => {
        lookups++
        throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' })
      },
    })
    const ac = new AbortController()
    const it = dnsNodes(client, [makeTree({ privateKey: treeKey, domain: 'gone.test' }).url], {
      signal: ac.signal,
    })
    const next = it.next()
    await clock.advance(60_000)
    // 10 at once (burst), then 3/s, then after 5 failures a 5 s pause per root attempt.
    expect(lookups).toBeGreaterThan(5)
    expect(lookups).toBeLessThan(30)
    ac.abort()
    expect((await next).done).toBe(true)
  })

  it('rejects a bad URL at once', () => {
    expect(() => dnsNodes(new DnsClient(fast), ['enrtree://x@y'], { signal: signal() })).toThrow(
      DnsError,
    )
  })
})
