import { afterEach, describe, expect, it } from 'vitest'
import { DnsClient, dnsNodes, systemTxtResolver } from '../../src/dns/index.js'
import { Enr } from '../../src/enr/enr.js'
import { DnsError } from '../../src/errors.js'
import { generatePrivateKey } from '../../src/key.js'
import { startTxtServer, type TxtServer } from '../../src/testing/dns-server.js'
import { makeTree } from '../../src/testing/dns-tree.js'

// The real resolver path (node:dns, c-ares, UDP) against a DNS server on 127.0.0.1.

let server: TxtServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const nodes = Array.from({ length: 30 }, (_, i) =>
  Enr.create({
    privateKey: generatePrivateKey(),
    seq: 1n,
    ip: `127.0.3.${i + 1}`,
    udp: 30303,
    tcp: 30303,
  }),
)

describe('DNS discovery over a DNS server on 127.0.0.1', () => {
  it('syncs a signed tree and walks it lazily', async () => {
    const tree = makeTree({ privateKey: generatePrivateKey(), domain: 'nodes.devp2p.test', nodes })
    server = await startTxtServer(tree.records)
    const resolver = systemTxtResolver({ servers: [server.address] })
    const client = new DnsClient({ resolver, rateLimit: 1000 })
    const ac = new AbortController()
    const started = performance.now()
    const t = await client.syncTree(tree.url, { signal: ac.signal })
    const syncMs = performance.now() - started
    expect(t.enrs).toHaveLength(30)
    const it = dnsNodes(client, [tree.url], { signal: ac.signal })
    const first = await it.next()
    expect(first.done).toBe(false)
    expect(first.value?.ip.startsWith('127.0.3.')).toBe(true)
    ac.abort()
    await it.return()
    console.info(
      `DNS server: full sync of 30 nodes in ${syncMs.toFixed(0)} ms, ${server.queries} queries`,
    )
  })

  it('a name the server does not know is ERR_DNS_LOOKUP', async () => {
    const tree = makeTree({ privateKey: generatePrivateKey(), domain: 'other.devp2p.test', nodes })
    server = await startTxtServer(new Map())
    const client = new DnsClient({ resolver: systemTxtResolver({ servers: [server.address] }) })
    const e = await client
      .syncTree(tree.url, { signal: new AbortController().signal })
      .catch((x: unknown) => x)
    expect(e).toBeInstanceOf(DnsError)
    expect((e as DnsError).code).toBe('ERR_DNS_LOOKUP')
  })
})
