import { generatePrivateKey } from '@x/discover'
import { afterEach, describe, expect, it } from 'vitest'
import { Server, tcpNetwork } from '../../src/index.js'
import { echoProtocol } from './helpers.js'
import { plainRlpx } from './plain-rlpx.js'

// Servers that run discovery v4 and v5 on one UDP socket (`discoveryV5`), real sockets on 127.0.0.1.

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
})

function server(v5bootnodes: string[] = []): Server {
  const s = new Server({
    privateKey: generatePrivateKey(),
    network: tcpNetwork(plainRlpx),
    listenAddress: { ip: '127.0.0.1', port: 0 },
    protocols: [echoProtocol()],
    discoveryV4: { ntp: false },
    discoveryV5: { bootnodes: v5bootnodes },
  })
  servers.push(s)
  return s
}

describe('Server with discoveryV5', () => {
  it('runs v5 on the v4 port and dials a node found only through v5', {
    timeout: 30_000,
  }, async () => {
    const boot = server()
    await boot.start()
    const v5 = boot.discoveryV5
    expect(v5).toBeDefined()
    expect(v5?.self.udp).toBe(boot.discovery?.self.udp)
    const b = server([v5!.enr.toText()])
    await b.start()
    expect(b.discoveryV5?.table.has(boot.discoveryV5!.self.idHex)).toBe(true)
    // No v4 bootnode: the v4 table knows nobody, so the dial came from v5's random nodes.
    expect(b.discovery?.table.size).toBe(0)
    await new Promise<void>((resolve) => {
      const done = () => b.peers().some((p) => p.idHex === boot.idHex)
      if (done()) return resolve()
      const ac = new AbortController()
      const onAdded = () => {
        if (!done()) return
        ac.abort()
        resolve()
      }
      b.addEventListener('peer:added', onAdded, { signal: ac.signal })
    })
    expect(b.peers().map((p) => p.idHex)).toContain(boot.idHex)
  })

  it('is ignored without discoveryV4', async () => {
    const s = new Server({
      privateKey: generatePrivateKey(),
      network: tcpNetwork(plainRlpx),
      listenAddress: { ip: '127.0.0.1', port: 0 },
      discoveryV5: {},
    })
    servers.push(s)
    await s.start()
    expect(s.discoveryV5).toBeUndefined()
  })
})
