import type { Gateway } from '@achingbrain/nat-port-mapper'
import { type Clock, isIpv6 } from '@x/core'
import { NatError } from '../errors.js'
import { defaultGateway } from './gateway.js'
import type { Nat, NatProtocol } from './nat.js'

/** go-ethereum's p2p/nat timings. */
export const natDefaults = {
  /** NAT-PMP: how long the gateway has to answer (go-ethereum's discoverPMP). */
  pmpTimeoutMs: 1_000,
  /** UPnP: how long SSDP discovery and the first SOAP answer may take (soapRequestTimeout). */
  upnpTimeoutMs: 3_000,
  /** Lifetime of a mapping; refreshed before it ends (DefaultMapTimeout). */
  mapLifetimeMs: 10 * 60_000,
} as const

/** Finds a gateway speaking one protocol; rejects when none answers before `signal`. */
export type FindGateway = (signal: AbortSignal) => Promise<Gateway>

/** Aborts after `ms` on `clock` or with `outer`; `done()` clears the timer. */
function deadline(clock: Clock, ms: number, outer: AbortSignal) {
  const ac = new AbortController()
  const timer = clock.setTimeout(
    () => ac.abort(new NatError('ERR_NAT_NO_GATEWAY', `no answer within ${ms} ms`)),
    ms,
  )
  const signal = AbortSignal.any([ac.signal, outer])
  return { signal, done: () => clock.clearTimeout(timer) }
}

/**
 * A {@link Nat} over a gateway found by `find` (UPnP IGD or NAT-PMP, through
 * `@achingbrain/nat-port-mapper`): the gateway is looked for on first use, each look bounded by
 * `timeoutMs`; mappings are refreshed by the client and deleted by `close()`.
 */
export function gatewayNat(name: string, find: FindGateway, clock: Clock, timeoutMs: number): Nat {
  let gateway: Promise<Gateway> | undefined
  // close() ends a look in flight.
  const closing = new AbortController()
  const open = async (signal: AbortSignal): Promise<Gateway> => {
    if (closing.signal.aborted) throw new NatError('ERR_NAT_NO_GATEWAY', `${name}: closed`)
    gateway ??= (async () => {
      const d = deadline(clock, timeoutMs, AbortSignal.any([signal, closing.signal]))
      try {
        return await find(d.signal)
      } catch (err) {
        gateway = undefined
        throw err instanceof NatError
          ? err
          : new NatError('ERR_NAT_NO_GATEWAY', `${name}: no gateway answered`, { cause: err })
      } finally {
        d.done()
      }
    })()
    return gateway
  }
  return {
    name,
    staticIp: undefined,
    async externalIp({ signal }) {
      const gw = await open(signal)
      const d = deadline(clock, timeoutMs, signal)
      try {
        return await gw.externalIp({ signal: d.signal })
      } catch (err) {
        throw new NatError('ERR_NAT_NO_GATEWAY', `${name}: no external IP`, { cause: err })
      } finally {
        d.done()
      }
    },
    async addMapping(protocol: NatProtocol, port, { signal, description }) {
      const gw = await open(signal)
      const d = deadline(clock, timeoutMs, signal)
      try {
        const m = await gw.map(port, await localIpFor(gw), {
          protocol,
          externalPort: port,
          description,
          ttl: natDefaults.mapLifetimeMs,
          signal: d.signal,
        })
        return m.externalPort
      } catch (err) {
        throw new NatError('ERR_NAT_MAPPING', `${name}: ${protocol} ${port} not mapped`, {
          cause: err,
        })
      } finally {
        d.done()
      }
    },
    async close() {
      closing.abort(new NatError('ERR_NAT_NO_GATEWAY', `${name}: closed`))
      const gw = await gateway?.catch(() => undefined)
      gateway = undefined
      await gw?.stop().catch(() => {})
    },
  }
}

/** The address of ours that reaches the gateway (the first of the family on a non-internal interface). */
async function localIpFor(gw: Gateway): Promise<string> {
  const { networkInterfaces } = await import('node:os')
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (!a.internal && (a.family === 'IPv6') === isIpv6(gw.host)) return a.address
    }
  }
  throw new NatError('ERR_NAT_MAPPING', `no local address towards ${gw.host}`)
}

/** UPnP IGD (go-ethereum's `nat.UPnP`): the first gateway SSDP finds. */
export function upnp(clock: Clock, timeoutMs: number = natDefaults.upnpTimeoutMs): Nat {
  return gatewayNat(
    'upnp',
    async (signal) => {
      const { upnpNat } = await import('@achingbrain/nat-port-mapper')
      for await (const gw of upnpNat().findGateways({ signal })) return gw
      throw new NatError('ERR_NAT_NO_GATEWAY', 'upnp: no gateway found')
    },
    clock,
    timeoutMs,
  )
}

/** NAT-PMP (RFC 6886; go-ethereum's `nat.PMP`) at `gateway`, default the default route's. */
export function pmp(
  clock: Clock,
  gateway?: string,
  timeoutMs: number = natDefaults.pmpTimeoutMs,
): Nat {
  return gatewayNat(
    gateway === undefined ? 'pmp' : `pmp:${gateway}`,
    async () => {
      const host = gateway ?? (await defaultGateway())
      if (host === undefined) throw new NatError('ERR_NAT_NO_GATEWAY', 'pmp: no default gateway')
      const { pmpNat } = await import('@achingbrain/nat-port-mapper')
      return pmpNat(host)
    },
    clock,
    timeoutMs,
  )
}
