import { normalizeIp } from '@x/core'
import type { DatagramTransport, UdpAddress } from '../udp/transport.js'

export interface MemoryNetworkOptions {
  /** Drops a datagram when it returns true (loss, partitions, filters). */
  drop?: (data: Uint8Array, from: UdpAddress, to: UdpAddress) => boolean
}

/**
 * An in-memory datagram network: every bound transport gets an address; datagrams are delivered
 * on the microtask queue (so a whole exchange settles within one `flush()`), copied, and dropped
 * silently when nobody listens, like UDP.
 */
export class MemoryNetwork {
  /** Bound sockets by IP, then port (no key string built per datagram). */
  readonly #sockets = new Map<string, Map<number, MemorySocket>>()
  #size = 0
  readonly #drop: MemoryNetworkOptions['drop']
  #nextPort = 30_000
  /** Datagrams delivered and dropped so far. */
  delivered = 0
  dropped = 0

  constructor(options: MemoryNetworkOptions = {}) {
    this.#drop = options.drop
  }

  /** Binds a transport; port 0 (default) picks the next free port from 30000. */
  bind(options: { ip?: string; port?: number } = {}): MemorySocket {
    const ip = normalizeIp(options.ip ?? '127.0.0.1')
    let port = options.port ?? 0
    let ports = this.#sockets.get(ip)
    if (!ports) {
      ports = new Map()
      this.#sockets.set(ip, ports)
    }
    if (port === 0) {
      do port = this.#nextPort++
      while (ports.has(port))
    }
    if (ports.has(port)) throw new Error(`address in use: ${ip}:${port}`)
    const s = new MemorySocket(this, { ip, port })
    ports.set(port, s)
    this.#size++
    return s
  }

  /** Number of bound sockets. */
  get size(): number {
    return this.#size
  }

  /** @internal `owned`: the caller hands `data` over (no copy needed). */
  deliver(data: Uint8Array, from: UdpAddress, to: UdpAddress, owned = false): void {
    if (this.#drop?.(data, from, to)) {
      this.dropped++
      return
    }
    const copy = owned ? data : data.slice()
    queueMicrotask(() => {
      const dst = this.#sockets.get(normalizeIp(to.ip))?.get(to.port)
      if (!dst) {
        this.dropped++
        return
      }
      this.delivered++
      dst.receive(copy, from)
    })
  }

  /** @internal */
  unbind(addr: UdpAddress): void {
    if (this.#sockets.get(addr.ip)?.delete(addr.port)) this.#size--
  }
}

export class MemorySocket implements DatagramTransport {
  readonly address: UdpAddress
  readonly #net: MemoryNetwork
  #onMessage: (data: Uint8Array, from: UdpAddress) => void = () => {}
  #closed = false

  constructor(net: MemoryNetwork, address: UdpAddress) {
    this.#net = net
    this.address = address
  }

  send(data: Uint8Array, to: UdpAddress): void {
    if (!this.#closed) this.#net.deliver(data, this.address, to)
  }

  /** @internal `send` of a buffer nobody else holds (the simulator's delayed copies). */
  sendOwned(data: Uint8Array, to: UdpAddress): void {
    if (!this.#closed) this.#net.deliver(data, this.address, to, true)
  }

  onMessage(handler: (data: Uint8Array, from: UdpAddress) => void): void {
    this.#onMessage = handler
  }

  onError(_handler: (error: Error) => void): void {}

  receive(data: Uint8Array, from: UdpAddress): void {
    if (!this.#closed) this.#onMessage(data, { ...from })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#net.unbind(this.address)
  }
}
