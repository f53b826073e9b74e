import { Devp2pError, isLan, Netlist } from '@x/core'
import { InvalidCidrError } from '../errors.js'

/**
 * The server's `netRestrict` option (go-ethereum's `Config.NetRestrict`, a `netutil.Netlist`):
 * peers and dial candidates outside every listed net are refused. A list of CIDRs is parsed
 * here; a malformed one throws {@link InvalidCidrError}.
 */
export function toNetlist(cidrs: readonly string[] | Netlist): Netlist {
  if (cidrs instanceof Netlist) return cidrs
  try {
    return new Netlist(cidrs)
  } catch (err) {
    if (!(err instanceof Devp2pError) || err.code !== 'ERR_INVALID_CIDR') throw err
    const bad = cidrs.find((c) => {
      try {
        new Netlist([c])
        return false
      } catch {
        return true
      }
    })
    throw new InvalidCidrError(bad ?? cidrs.join(','), { cause: err })
  }
}

/**
 * Transitional: core's {@link Netlist}, throwing p2p's {@link InvalidCidrError} on a malformed
 * CIDR as it did before the list moved to @x/core. Use `Netlist` from `@x/core`.
 */
export class NetRestrict extends Netlist {
  constructor(cidrs: readonly string[]) {
    super(toNetlist(cidrs).cidrs)
  }
}

/**
 * Loopback, private and link-local addresses (go-ethereum's `netutil.IsLAN`, core's `isLan`);
 * what is no address is not LAN. Transitional: use `isLan` from `@x/core`.
 */
export function isLanIp(ip: string): boolean {
  try {
    return isLan(ip)
  } catch {
    return false
  }
}
