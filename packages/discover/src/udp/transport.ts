/** The sender of a datagram. */
export interface UdpAddress {
  ip: string
  port: number
}

/**
 * What the discv4 service needs from a datagram socket: small enough that tests run hundreds of
 * nodes in memory (`MemoryNetwork` in `@x/discover/testing`); UDPv4 binds a real `node:dgram` socket
 * when it is given none.
 */
export interface DatagramTransport {
  /** The bound address (the port is the real one after binding port 0). */
  readonly address: UdpAddress
  /** The receive buffer the OS granted, in bytes as it reports them (real sockets only). */
  readonly recvBufferSize?: number
  /** Sends a datagram; failures are reported through `onError`, never thrown. */
  send(data: Uint8Array, to: UdpAddress): void
  /** Sets the one receiver of incoming datagrams. */
  onMessage(handler: (data: Uint8Array, from: UdpAddress) => void): void
  onError(handler: (error: Error) => void): void
  close(): Promise<void>
}
