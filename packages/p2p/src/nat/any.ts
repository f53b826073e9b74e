import type { Clock } from '@x/core'
import { NatError } from '../errors.js'
import type { Nat, NatSpec } from './nat.js'
import { extIp } from './nat.js'
import { pmp, upnp } from './port-mapper.js'

/**
 * `any` (go-ethereum's `nat.Any`): asks UPnP and NAT-PMP at once and keeps the first that tells
 * our external IP; the other is closed. When neither answers within its timeout, every call
 * rejects with `ERR_NAT_NO_GATEWAY` and the node goes on as with `none` (the endpoint is then
 * predicted from Pongs).
 */
export function anyNat(candidates: readonly Nat[]): Nat {
  let chosen: Promise<Nat> | undefined
  const choose = (signal: AbortSignal): Promise<Nat> => {
    chosen ??= Promise.any(
      candidates.map(async (n) => {
        await n.externalIp({ signal })
        return n
      }),
    ).then(
      async (winner) => {
        await Promise.all(candidates.filter((n) => n !== winner).map((n) => n.close()))
        return winner
      },
      (err: AggregateError) => {
        throw new NatError('ERR_NAT_NO_GATEWAY', 'any: no UPnP or NAT-PMP gateway answered', {
          cause: err,
        })
      },
    )
    return chosen
  }
  return {
    name: 'any',
    staticIp: undefined,
    async externalIp(o) {
      return (await choose(o.signal)).externalIp(o)
    },
    async addMapping(protocol, port, o) {
      return (await choose(o.signal)).addMapping(protocol, port, o)
    },
    async close() {
      await Promise.all(candidates.map((n) => n.close()))
    },
  }
}

/** The {@link Nat} a parsed `--nat` value selects; undefined for `none`. Opens nothing. */
export function natFromSpec(spec: NatSpec | undefined, clock: Clock): Nat | undefined {
  if (spec === undefined) return undefined
  switch (spec.kind) {
    case 'extip':
      return extIp(spec.ip)
    case 'upnp':
      return upnp(clock)
    case 'pmp':
      return pmp(clock, spec.gateway)
    case 'any':
      return anyNat([upnp(clock), pmp(clock)])
  }
}
