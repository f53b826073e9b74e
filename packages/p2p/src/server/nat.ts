import { isLoopback, type Logger } from '@x/core'
import type { Nat } from '../nat/nat.js'

/** What {@link setupNat} needs from the server. */
export interface NatContext {
  nat: Nat
  /** The bound listener (TCP) and discovery (UDP) ports; 0 for what does not run. */
  tcpPort: number
  udpPort: number
  listenIp: string
  /** Aborts when the server stops. */
  signal: AbortSignal
  log: Logger
  /** Our advertised endpoint changed: the gateway's external IP, the mapped TCP port. */
  advertise(endpoint: { ip?: string; tcp?: number }): void
}

/**
 * go-ethereum's `Server.setupPortMapping` for UPnP and NAT-PMP, in the background after start:
 * asks the gateway for our external IP and advertises it (a static IP: prediction stops), then
 * maps the TCP and UDP ports (kept alive by the NAT client until the server stops). A gateway
 * that does not answer in time is logged once and the node goes on as with `--nat none`.
 */
export async function setupNat(ctx: NatContext): Promise<void> {
  const { nat, log, signal } = ctx
  let ip: string
  try {
    ip = await nat.externalIp({ signal })
  } catch (err) {
    if (signal.aborted) return
    log.info('no NAT gateway answered; the endpoint is learned from peers', {
      nat: nat.name,
      err: (err as Error).message,
    })
    return
  }
  log.info('NAT gateway found', { nat: nat.name, externalIp: ip })
  ctx.advertise({ ip })
  // A listener on loopback is not reachable through any gateway (go-ethereum maps only then).
  if (isLoopback(ctx.listenIp)) return
  const maps: ['tcp' | 'udp', number][] = [
    ['tcp', ctx.tcpPort],
    ['udp', ctx.udpPort],
  ]
  for (const [protocol, port] of maps) {
    if (port === 0 || signal.aborted) continue
    try {
      const ext = await nat.addMapping(protocol, port, { signal, description: 'devp2p' })
      log.info('NAT mapped port', { nat: nat.name, protocol, port, externalPort: ext })
      if (protocol === 'tcp' && ext !== port) ctx.advertise({ tcp: ext })
    } catch (err) {
      if (!signal.aborted) {
        log.info('NAT port not mapped', { nat: nat.name, protocol, port, err: String(err) })
      }
    }
  }
}
