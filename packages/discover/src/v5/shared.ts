import type { Clock, Logger } from '@x/core'
import { systemClock } from '@x/core'
import { MemoryNodeDB } from '../db/memory.js'
import { Discovery, type DiscoveryOptions } from '../discovery.js'
import type { Enr } from '../enr/enr.js'
import { DiscoverError } from '../errors.js'
import type { Node } from '../node.js'
import { bindUdp } from '../udp/dgram.js'
import type { DatagramTransport, UdpAddress } from '../udp/transport.js'
import { DiscoveryV5, type DiscoveryV5Options } from './discv5.js'

export const sharedSocketDefaults = {
  /** Datagrams waiting for discv5 at most (go-ethereum's p2p.Server `unhandled` channel). */
  queueSize: 100,
} as const

/**
 * The bounded hand-over from discv4 to discv5 on one socket: datagrams v4 cannot decode wait
 * here (at most `capacity`; more are dropped and counted) and are delivered in one batch after
 * the current task, so a burst cannot grow memory or starve the v4 receive path.
 */
export class UnhandledQueue {
  readonly #items: { data: Uint8Array; from: UdpAddress }[] = []
  #scheduled = false
  /** Datagrams dropped because the queue was full. */
  dropped = 0

  constructor(
    private readonly deliver: (data: Uint8Array, from: UdpAddress) => void,
    private readonly capacity: number = sharedSocketDefaults.queueSize,
  ) {}

  get length(): number {
    return this.#items.length
  }

  push(data: Uint8Array, from: UdpAddress): void {
    if (this.#items.length >= this.capacity) {
      this.dropped++
      return
    }
    this.#items.push({ data, from })
    if (this.#scheduled) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      const batch = this.#items.splice(0)
      for (const it of batch) this.deliver(it.data, it.from)
    })
  }
}

export interface SharedDiscoveryOptions extends DiscoveryOptions {
  /** Discovery v5 beside v4 on the same UDP socket. */
  v5?: Omit<
    DiscoveryV5Options,
    'privateKey' | 'transport' | 'listen' | 'local' | 'clock' | 'logger' | 'host' | 'port'
  > & { bootnodes?: readonly (Enr | string)[] }
}

/**
 * Discovery v4 and v5 on one UDP socket, as go-ethereum's p2p.Server runs them: every datagram
 * goes to v4 first, and what v4 cannot decode goes to v5 through an {@link UnhandledQueue}. Both
 * advertise one record (v4's: endpoint prediction and seq). Construct, then `start()`;
 * `stop()` stops v5, then v4, which closes the socket.
 */
export class SharedDiscovery {
  readonly #options: SharedDiscoveryOptions
  #v4: Discovery | undefined
  #v5: DiscoveryV5 | undefined
  #queue: UnhandledQueue | undefined
  #starting: Promise<void> | undefined
  #stopped = false

  constructor(options: SharedDiscoveryOptions) {
    this.#options = options
  }

  get v4(): Discovery {
    if (!this.#v4) throw new DiscoverError('ERR_NOT_STARTED', 'discovery not started')
    return this.#v4
  }

  get v5(): DiscoveryV5 {
    if (!this.#v5) throw new DiscoverError('ERR_NOT_STARTED', 'discovery not started')
    return this.#v5
  }

  /** Datagrams v4 handed to v5 that were dropped on a full queue. */
  get handoverDropped(): number {
    return this.#queue?.dropped ?? 0
  }

  start(): Promise<void> {
    this.#starting ??= this.#start()
    return this.#starting
  }

  async #start(): Promise<void> {
    const o = this.#options
    const transport: DatagramTransport =
      o.transport ?? (await bindUdp({ host: o.host ?? '0.0.0.0', port: o.port ?? 0 }))
    let v5: DiscoveryV5 | undefined
    const queue = new UnhandledQueue((data, from) => v5?.udp.deliver(data, from))
    this.#queue = queue
    const v4 = new Discovery({ ...o, transport, unhandled: (d, f) => queue.push(d, f) })
    this.#v4 = v4
    if (this.#stopped) {
      await transport.close()
      return
    }
    await v4.start()
    const udp4 = v4.udp
    const clock: Clock = o.clock ?? systemClock
    const logger: Logger | undefined = o.logger
    v5 = new DiscoveryV5({
      ...o.v5,
      privateKey: o.privateKey,
      transport,
      listen: false,
      local: {
        get enr(): Enr {
          return udp4.enr
        },
        get node(): Node {
          return udp4.self
        },
      },
      clock,
      ...(logger && { logger }),
      db: new MemoryNodeDB(),
      ...(o.netrestrict && { netrestrict: o.netrestrict }),
    })
    this.#v5 = v5
    if (this.#stopped) return
    await v5.start()
  }

  /** Stops v5, then v4 (closing the socket and v4's DB). Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true
    await this.#starting?.catch(() => {})
    await this.#v5?.stop()
    await this.#v4?.stop()
  }
}
