import { started } from '@x/core'
import { afterEach, describe, expect, it } from 'vitest'
import { generatePrivateKey } from '../../src/index.js'
import { bindUdp, UDPv4 } from '../../src/udp/index.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

async function listen(host: string) {
  const udp = await started(
    new UDPv4({ privateKey: generatePrivateKey(), host, port: 0, ntp: false }),
  )
  closers.push(() => udp.stop())
  return udp
}

async function hasIpv6(): Promise<boolean> {
  try {
    const t = await bindUdp({ host: '::1', port: 0 })
    await t.close()
    return true
  } catch {
    return false
  }
}

describe('UDPv4 over node:dgram', () => {
  it('binds port 0 on 127.0.0.1 and reports the real port', async () => {
    const t = await bindUdp({ host: '127.0.0.1', port: 0 })
    closers.push(() => t.close())
    expect(t.address.ip).toBe('127.0.0.1')
    expect(t.address.port).toBeGreaterThan(0)
  })

  it('asks the OS for a larger receive buffer and reports what it granted', async () => {
    const small = await bindUdp({ host: '127.0.0.1', port: 0 })
    closers.push(() => small.close())
    const big = await bindUdp({ host: '127.0.0.1', port: 0, recvBufferSize: 4 * 1024 * 1024 })
    closers.push(() => big.close())
    const udp = await listen('127.0.0.1')
    console.log(
      `receive buffer: default ${small.recvBufferSize}, asked 4 MiB, granted ${big.recvBufferSize}`,
    )
    expect(small.recvBufferSize).toBeGreaterThan(0)
    expect(big.recvBufferSize!).toBeGreaterThanOrEqual(small.recvBufferSize!)
    // UDPv4 asks for udpv4Defaults.recvBufferSize (1 MiB): at least the default buffer.
    expect(udp.stats.recvBufferSize!).toBeGreaterThanOrEqual(small.recvBufferSize!)
  })

  it('pings, bonds and requests the ENR over IPv4 loopback', async () => {
    const a = await listen('127.0.0.1')
    const b = await listen('127.0.0.1')
    const bonded = new Promise((r) => b.addEventListener('bonded', r, { once: true }))
    expect((await a.ping(b.self)).enrSeq).toBe(b.enr.seq)
    await bonded
    expect((await a.requestENR(b.self)).toText()).toBe(b.enr.toText())
  })

  it('works over IPv6 loopback when available', async () => {
    if (!(await hasIpv6())) return
    const a = await listen('::1')
    const b = await listen('::1')
    expect(a.self.ip).toBe('::1')
    await a.ping(b.self)
    const r = await a.requestENR(b.self)
    expect(r.ip6).toBe('::1')
    expect(r.toNode()?.udp).toBe(b.self.udp)
  })

  it('a dual-stack socket (::) talks to IPv4 peers', async () => {
    if (!(await hasIpv6())) return
    const a = await listen('::')
    const b = await listen('127.0.0.1')
    await a.ping(b.self)
    await b.ping(a.self.withEndpoint({ ip: '127.0.0.1' }))
  })
})
