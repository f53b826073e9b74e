import type { Gateway } from '@achingbrain/nat-port-mapper'
import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { anyNat, defaultGateway, gatewayNat, type NatError } from '../../src/index.js'

/** A gateway that answers at once with `ip`. */
function fakeGateway(ip: string, mapped: number[] = []): Gateway {
  return {
    id: ip,
    host: '10.77.0.1',
    port: 5351,
    family: 'IPv4',
    stop: async () => {},
    map: async (port, internalHost, o) => {
      mapped.push(port)
      return {
        externalHost: ip,
        externalPort: o?.externalPort ?? port,
        internalHost,
        internalPort: port,
        protocol: 'TCP',
      }
    },
    mapAll: async function* () {},
    unmap: async () => {},
    externalIp: async () => ip,
  } as Gateway
}

/** A find that never answers until its signal aborts. */
const silent = (signal: AbortSignal) =>
  new Promise<Gateway>((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
  )

describe('gateway NAT (UPnP / NAT-PMP through @achingbrain/nat-port-mapper)', () => {
  it('gives up within its timeout when no gateway answers', async () => {
    const clock = new ManualClock()
    const n = gatewayNat('pmp', silent, clock, 1000)
    const ip = n.externalIp({ signal: new AbortController().signal })
    const outcome = ip.catch((e: NatError) => e.code)
    await clock.advance(999)
    await clock.advance(1)
    expect(await outcome).toBe('ERR_NAT_NO_GATEWAY')
    expect(clock.pending).toBe(0)
    await n.close()
  })

  it('any takes the gateway that answers and falls back cleanly when none does', async () => {
    const clock = new ManualClock()
    const signal = new AbortController().signal
    const found = anyNat([
      gatewayNat('upnp', silent, clock, 3000),
      gatewayNat('pmp', async () => fakeGateway('198.51.100.7'), clock, 1000),
    ])
    const ip = found.externalIp({ signal })
    await clock.advance(0)
    expect(await ip).toBe('198.51.100.7')
    await found.close()
    expect(clock.pending).toBe(0)

    const none = anyNat([
      gatewayNat('upnp', silent, clock, 3000),
      gatewayNat('pmp', silent, clock, 1000),
    ])
    const outcome = none.externalIp({ signal }).catch((e: NatError) => e.code)
    await clock.advance(3000)
    expect(await outcome).toBe('ERR_NAT_NO_GATEWAY')
    await none.close()
    expect(clock.pending).toBe(0)
  })

  it('reads the default gateway from /proc/net/route', async () => {
    const table = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask',
      'eth0\t00004D0A\t00000000\t0001\t0\t0\t0\t00FFFFFF',
      'eth0\t00000000\t01004D0A\t0003\t0\t0\t0\t00000000',
    ].join('\n')
    expect(await defaultGateway(async () => table)).toBe('10.77.0.1')
    expect(await defaultGateway(async () => table.split('\n').slice(0, 2).join('\n'))).toBe(
      undefined,
    )
    expect(
      await defaultGateway(async () => {
        throw new Error('ENOENT')
      }),
    ).toBeUndefined()
  })
})
