import { type Clock, type Logger, systemClock, TimeoutError } from '@x/core'
import { generatePrivateKey, nodeIdFromPrivateKey } from '@x/discover'
import { baseProtocolVersion, type Network, protoHandshake, rlpx, tcpNetwork } from '@x/p2p'
import type { CheckDialer } from './check.js'

export interface NetworkDialerOptions {
  /** Our node key (default a fresh one per check: the checker has no identity to keep). */
  privateKey?: Uint8Array
  /** Client id of our hello (default `x-health-check`). */
  clientId?: string
  clock?: Clock
}

/**
 * A {@link CheckDialer} over a p2p {@link Network} (`tcpNetwork(rlpx)` in production, a
 * `MemoryNetwork` host in tests): the network's dial and encryption handshake, then the hello
 * exchange, each bounded by the check timeout.
 */
export function networkDialer(network: Network, options: NetworkDialerOptions = {}): CheckDialer {
  const clock = options.clock ?? systemClock
  return async (node, { caps, signal, timeout }) => {
    const privateKey = options.privateKey ?? generatePrivateKey()
    const local = { privateKey, id: nodeIdFromPrivateKey(privateKey) }
    const ac = new AbortController()
    const onAbort = () => ac.abort(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    const timer = clock.setTimeout(
      () => ac.abort(new TimeoutError(`RLPx handshake timed out after ${timeout} ms`)),
      timeout,
    )
    try {
      const transport = await network.dial(node, local, { signal: ac.signal })
      try {
        const hello = await protoHandshake(
          transport,
          {
            version: baseProtocolVersion,
            clientId: options.clientId ?? 'x-health-check',
            caps,
            listenPort: 0,
            id: local.id,
          },
          { clock, timeout, signal },
        )
        return { hello, rw: transport, close: () => transport.close() }
      } catch (err) {
        transport.close()
        throw err
      }
    } finally {
      clock.clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
  }
}

/**
 * The production dialer of the checker: RLPx over TCP (`tcpNetwork(rlpx)`), then the hello
 * exchange. What the `x-health-check` bin uses.
 */
export function rlpxCheckDialer(
  options: NetworkDialerOptions & { logger?: Logger } = {},
): CheckDialer {
  const { logger, ...rest } = options
  return networkDialer(tcpNetwork(rlpx, logger ? { logger } : {}), rest)
}
