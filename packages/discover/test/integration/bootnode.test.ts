import { started } from '@x/core'
import { afterEach, describe, expect, it } from 'vitest'
import { formatEnode, generatePrivateKey, type Node } from '../../src/index.js'
import { bootstrap, UDPv4 } from '../../src/udp/index.js'

// What node-app does with --bootnodes: real UDP on 127.0.0.1, both sides see `bonded`.

const services: UDPv4[] = []
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()))
})

async function start(tcpPort: number): Promise<UDPv4> {
  const s = await started(
    new UDPv4({
      privateKey: generatePrivateKey(),
      host: '127.0.0.1',
      port: 0,
      tcpPort,
      ntp: false,
    }),
  )
  services.push(s)
  return s
}

const bondedWith = (s: UDPv4, other: UDPv4) =>
  new Promise<Node>((resolve) => {
    const ac = new AbortController()
    s.addEventListener(
      'bonded',
      (e) => {
        if (e.detail.node.idHex !== other.self.idHex) return
        ac.abort()
        resolve(e.detail.node)
      },
      { signal: ac.signal },
    )
  })

describe('bootnodes over real UDP', () => {
  it.each(['enode', 'enr'])('a node bonds with its bootnode given as %s', async (form) => {
    const boot = await start(30311)
    const node = await start(30312)
    const url = form === 'enode' ? formatEnode(boot.self) : boot.enr.toText()
    const started = Date.now()
    const seenByBoot = bondedWith(boot, node)
    const seenByNode = bondedWith(node, boot)
    const r = await bootstrap(node, [url])
    expect(r.failed).toEqual([])
    const [b, n] = await Promise.all([seenByBoot, seenByNode])
    expect(Date.now() - started).toBeLessThan(5000)
    expect([b.udp, b.tcp]).toEqual([node.self.udp, 30312])
    expect([n.udp, n.tcp]).toEqual([boot.self.udp, 30311])
  })
})
