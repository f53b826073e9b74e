import { noopLogger } from '@x/core'
import { describe, expect, it } from 'vitest'
import type { Nat } from '../../src/index.js'
import { setupNat } from '../../src/server/nat.js'

/** A NAT whose gateway answers `ip` (or nothing) and maps TCP to `tcpExt`. */
function fakeNat(ip: string | undefined, tcpExt?: number): Nat & { mapped: string[] } {
  const mapped: string[] = []
  return {
    name: 'fake',
    staticIp: undefined,
    mapped,
    externalIp: () => (ip ? Promise.resolve(ip) : Promise.reject(new Error('no gateway'))),
    addMapping: (protocol, port) => {
      mapped.push(`${protocol}/${port}`)
      return Promise.resolve(protocol === 'tcp' && tcpExt ? tcpExt : port)
    },
    close: () => Promise.resolve(),
  }
}

const ctx = (nat: Nat, listenIp = '0.0.0.0') => {
  const advertised: { ip?: string; tcp?: number }[] = []
  return {
    advertised,
    run: () =>
      setupNat({
        nat,
        tcpPort: 30303,
        udpPort: 30301,
        listenIp,
        signal: new AbortController().signal,
        log: noopLogger,
        advertise: (e) => advertised.push(e),
      }),
  }
}

describe("setupNat (go-ethereum's setupPortMapping)", () => {
  it("advertises the gateway's external IP and maps both ports", async () => {
    const nat = fakeNat('198.51.100.7', 40404)
    const c = ctx(nat)
    await c.run()
    expect(c.advertised).toEqual([{ ip: '198.51.100.7' }, { tcp: 40404 }])
    expect(nat.mapped).toEqual(['tcp/30303', 'udp/30301'])
  })

  it('goes on as with none when no gateway answers', async () => {
    const nat = fakeNat(undefined)
    const c = ctx(nat)
    await c.run()
    expect(c.advertised).toEqual([])
    expect(nat.mapped).toEqual([])
  })

  it('maps nothing for a loopback listener', async () => {
    const nat = fakeNat('198.51.100.7')
    const c = ctx(nat, '127.0.0.1')
    await c.run()
    expect(nat.mapped).toEqual([])
  })
})
