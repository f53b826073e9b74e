import { type Clock, isLan, type Logger, type Netlist } from '@x/core'
import { DialHistory } from '../dial/history.js'
import { P2PError } from '../errors.js'
import type { Transport } from '../message.js'
import { withTimeout } from './conn.js'
import type { InboundConn } from './network.js'
import type { ServerEvents } from './options.js'
import { type PendingSlot, PendingSlots } from './pending.js'
import type { ConnInfo } from './setup.js'

/** What accepting an inbound connection needs from the server. */
export interface AcceptContext {
  running: boolean
  /** Handshakes in progress at once, in total (`maxPendingPeers`). */
  maxPending: number
  handshakeTimeout: number
  log: Logger
  failed(event: ServerEvents['conn:failed']): void
  setup(c: ConnInfo, connect: (signal: AbortSignal) => Promise<Transport>): Promise<void>
}

/** Bound of the throttle's memory; when full, the oldest entry goes. */
export const maxThrottled = 4096

/**
 * Inbound throttle (go-ethereum's `inboundHistory`): an IP that connected may not connect again
 * for `time` ms. A {@link DialHistory} bounded by `maxThrottled`.
 */
export class InboundThrottle {
  readonly #recent: DialHistory

  constructor(clock: Clock, time: number) {
    this.#recent = new DialHistory(clock, time, maxThrottled)
  }

  /** True (and remembered) if `ip` may connect now. */
  admit(ip: string): boolean {
    this.#recent.prune()
    if (this.#recent.has(ip)) return false
    this.#recent.add(ip)
    return true
  }

  clear(): void {
    this.#recent.clear()
  }
}

/**
 * Admission of inbound connections before their handshake (go-ethereum's `listenLoop` slots and
 * `checkInboundConn`): the net restriction, fair {@link PendingSlots} (bounded in total and per
 * address, LAN included; a new address displaces the most represented one), and the
 * {@link InboundThrottle} for addresses outside the LAN.
 */
export class InboundGate {
  readonly #clock: Clock
  readonly #throttle: InboundThrottle
  readonly #netRestrict: Netlist | undefined
  readonly #slots: PendingSlots

  constructor(
    clock: Clock,
    throttleTime: number,
    netRestrict: Netlist | undefined,
    maxPendingPerIp: number,
  ) {
    this.#clock = clock
    this.#throttle = new InboundThrottle(clock, throttleTime)
    this.#netRestrict = netRestrict
    this.#slots = new PendingSlots(maxPendingPerIp)
  }

  /** A slot for a connection from `ip`, or why it is refused now. */
  #admit(conn: InboundConn, maxPending: number): PendingSlot | string {
    const { ip } = conn.remoteAddress
    if (this.#netRestrict && !this.#netRestrict.contains(ip)) return 'not in netrestrict'
    // Checked before the throttle remembers `ip`, as go-ethereum's listenLoop waits for a slot
    // before checkInboundConn.
    const full = this.#slots.refusal(ip, maxPending)
    if (full !== undefined) return full
    // LAN addresses skip the throttle, as go-ethereum's checkInboundConn does.
    if (!isLan(ip) && !this.#throttle.admit(ip)) return 'too many attempts'
    return this.#slots.take(ip, maxPending, () => conn.close())
  }

  /**
   * Takes an inbound connection: refused ones are closed and reported through `failed`; the
   * others are set up by `setup` (bounded by `handshakeTimeout`) while counted as pending.
   * Returns the setup, which never rejects.
   */
  accept(conn: InboundConn, ctx: AcceptContext): Promise<void> | undefined {
    const { ip } = conn.remoteAddress
    const slot = ctx.running ? this.#admit(conn, ctx.maxPending) : 'server not running'
    if (typeof slot === 'string') {
      conn.close()
      ctx.log.debug('inbound refused', { ip, why: slot })
      ctx.failed({
        inbound: true,
        remoteAddress: conn.remoteAddress,
        error: new P2PError('ERR_INBOUND_REFUSED', slot),
      })
      return undefined
    }
    const conninfo = { inbound: true, remoteAddress: conn.remoteAddress }
    return ctx
      .setup(conninfo, async (signal) => {
        const transport = await withTimeout(
          this.#clock,
          ctx.handshakeTimeout,
          [signal, slot.signal],
          (s) => conn.handshake({ signal: s }),
        )
        slot.authenticated()
        return transport
      })
      .catch(() => {})
      .finally(() => slot.release())
  }

  /** Forgets the throttled addresses. */
  clear(): void {
    this.#throttle.clear()
  }
}
