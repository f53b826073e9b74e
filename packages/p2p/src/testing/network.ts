import { equalBytes } from '@x/core'
import type { Node, NodeId } from '@x/discover'
import { MemoryNetworkError, P2PError } from '../errors.js'
import type { Transport } from '../message.js'
import type { InboundConn, Listener, LocalIdentity, Network } from '../server/network.js'
import { transportPair } from './transport.js'

interface Bound {
  id: NodeId
  onConn: (conn: InboundConn) => void
}

/**
 * An in-memory network of hosts for server tests: `net.host('10.0.0.1')` is the {@link Network}
 * of a server on that IP. A dial reaches the listener bound at the node's IP and TCP port and
 * completes when the listener side runs its handshake (the "encryption handshake" checks that
 * the listener is the node dialed, as RLPx would). No timers, no sockets.
 */
export class MemoryNetwork {
  readonly #bound = new Map<string, Bound>()
  readonly #now: () => number
  #nextPort = 40_000
  /** Every dial attempted, in order (tests assert on dial scheduling). */
  readonly dials: { from: string; to: Node }[] = []

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now
  }

  /** The network as seen from the host at `ip`. */
  host(ip: string): Network {
    return {
      listen: (address, local, onConn) => this.#listen(ip, address.port, local, onConn),
      dial: (node, local, options) => this.#dial(ip, node, local, options.signal),
    }
  }

  /** Number of listeners bound (tests check servers closed theirs). */
  get listeners(): number {
    return this.#bound.size
  }

  async #listen(
    ip: string,
    port: number,
    local: LocalIdentity,
    onConn: (conn: InboundConn) => void,
  ): Promise<Listener> {
    const p = port === 0 ? this.#nextPort++ : port
    const key = `${ip}:${p}`
    if (this.#bound.has(key)) throw new P2PError('ERR_ADDRESS_IN_USE', `${key} in use`)
    this.#bound.set(key, { id: local.id, onConn })
    return {
      address: { ip, port: p },
      close: async () => {
        this.#bound.delete(key)
      },
    }
  }

  #dial(ip: string, node: Node, local: LocalIdentity, signal: AbortSignal): Promise<Transport> {
    this.dials.push({ from: ip, to: node })
    if (signal.aborted) return Promise.reject(signal.reason)
    const target = this.#bound.get(`${node.ip}:${node.tcp}`)
    if (!target) {
      return Promise.reject(
        new MemoryNetworkError(
          'ERR_CONNECTION_REFUSED',
          `nothing listens on ${node.ip}:${node.tcp}`,
        ),
      )
    }
    const from = { ip, port: this.#nextPort++ }
    const [ours, theirs] = transportPair(local.id, target.id, {
      now: this.#now,
      addressA: from,
      addressB: { ip: node.ip, port: node.tcp },
    })
    const authentic = equalBytes(target.id, node.id)
    return new Promise<Transport>((resolve, reject) => {
      let settled = false
      const fail = (err: unknown) => {
        if (settled) return
        settled = true
        signal.removeEventListener('abort', onAbort)
        ours.close()
        reject(err)
      }
      const onAbort = () => fail(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      const refused = () =>
        fail(new MemoryNetworkError('ERR_CONNECTION_REFUSED', 'connection closed by remote'))
      target.onConn({
        remoteAddress: from,
        close: refused,
        handshake: async ({ signal: theirSignal }) => {
          theirSignal.throwIfAborted()
          if (settled) throw new MemoryNetworkError('ERR_HANDSHAKE_FAILED', 'dialer went away')
          if (!authentic) {
            const err = new MemoryNetworkError('ERR_HANDSHAKE_FAILED', 'remote key mismatch')
            fail(err)
            throw err
          }
          settled = true
          signal.removeEventListener('abort', onAbort)
          resolve(ours)
          return theirs
        },
      })
    })
  }
}
