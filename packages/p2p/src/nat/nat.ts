import { isIpv6, normalizeIp } from '@x/core'
import { NatError } from '../errors.js'

/** A transport protocol whose port a NAT gateway maps. */
export type NatProtocol = 'tcp' | 'udp'

/**
 * A NAT traversal mechanism (go-ethereum's `nat.Interface`): where we are reachable from
 * outside, and port mappings on the gateway that make it so.
 */
export interface Nat {
  /** As given to `--nat`: `extip:203.0.113.5`, `upnp`, `pmp`, `pmp:192.168.1.1`, `any`. */
  readonly name: string
  /** The static IP of `extip:` (known without asking anyone), else undefined. */
  readonly staticIp: string | undefined
  /** Asks the gateway for our external IP; rejects (`ERR_NAT_NO_GATEWAY`) when none answers. */
  externalIp(options: { signal: AbortSignal }): Promise<string>
  /**
   * Maps external port `port` to our `port` (kept alive until `close()`); resolves with the
   * external port the gateway chose, which may differ.
   */
  addMapping(
    protocol: NatProtocol,
    port: number,
    options: { signal: AbortSignal; description: string },
  ): Promise<number>
  /** Deletes our mappings and releases every socket and timer. Idempotent. */
  close(): Promise<void>
}

/** What `--nat` selects, parsed (go-ethereum's `nat.Parse`); `none` is undefined. */
export type NatSpec =
  | { kind: 'extip'; ip: string }
  | { kind: 'upnp' }
  | { kind: 'pmp'; gateway?: string }
  | { kind: 'any' }

const usage = 'none, any, upnp, pmp, pmp:<gateway IP> or extip:<IP>'

/**
 * Parses a `--nat` value as go-ethereum does: `none` (undefined), `any`, `upnp`, `pmp`,
 * `pmp:<gateway IP>`, `extip:<IP>`; the mechanism is case-insensitive. Throws `NatError`
 * `ERR_INVALID_NAT` with one line naming the accepted values.
 */
export function parseNat(spec: string): NatSpec | undefined {
  const colon = spec.indexOf(':')
  const mech = (colon < 0 ? spec : spec.slice(0, colon)).toLowerCase()
  const arg = colon < 0 ? undefined : spec.slice(colon + 1)
  const ip = (what: string): string => {
    try {
      return normalizeIp(arg ?? '')
    } catch {
      throw new NatError(
        'ERR_INVALID_NAT',
        `--nat ${mech}: ${JSON.stringify(arg ?? '')} is not ${what}`,
      )
    }
  }
  const noArg = () => {
    if (arg !== undefined) {
      throw new NatError('ERR_INVALID_NAT', `--nat ${mech} takes no argument, got ${spec}`)
    }
  }
  switch (mech) {
    case '':
    case 'none':
    case 'off':
      noArg()
      return undefined
    case 'any':
    case 'auto':
    case 'on':
      noArg()
      return { kind: 'any' }
    case 'upnp':
      noArg()
      return { kind: 'upnp' }
    case 'pmp':
    case 'natpmp':
    case 'nat-pmp': {
      if (arg === undefined) return { kind: 'pmp' }
      const gw = ip('an IP address')
      if (isIpv6(gw)) throw new NatError('ERR_INVALID_NAT', `--nat pmp: ${gw} is not IPv4`)
      return { kind: 'pmp', gateway: gw }
    }
    case 'extip':
    case 'ip':
      return { kind: 'extip', ip: ip('an IP address (extip:<IP>)') }
    default:
      throw new NatError(
        'ERR_INVALID_NAT',
        `--nat: unknown mechanism ${JSON.stringify(mech)} (use ${usage})`,
      )
  }
}

/**
 * `extip:<IP>` (go-ethereum's `nat.ExtIP`): we are reachable at that IP and any port forwarding
 * was set up by hand; nothing is asked, mapped or bound.
 */
export function extIp(ip: string): Nat {
  const addr = normalizeIp(ip)
  return {
    name: `extip:${addr}`,
    staticIp: addr,
    externalIp: () => Promise.resolve(addr),
    addMapping: (_protocol, port) => Promise.resolve(port),
    close: () => Promise.resolve(),
  }
}
