import type { Clock, Logger } from '@x/core'
import type { NodeDB } from '../db/types.js'
import type { Node } from '../node.js'
import type { DiscoveryTransport } from '../transport.js'
import { udpv4Defaults } from '../udp/options.js'
import type { Table } from './table.js'

export const verifierDefaults = {
  /** Pings in flight at most; nodes seen beyond it are skipped (they show up again in lookups). */
  maxPending: 64,
} as const

/**
 * Where the verifier reads endpoint proofs: a node whose Pong (from this IP) is younger than
 * `bondExpirationMs` and that has no FindNode failures is still bonded, and is not pinged again.
 */
export interface BondState {
  db: NodeDB
  clock: Clock
  /** Endpoint proof lifetime (default 24 h, UDPv4's). */
  bondExpirationMs?: number
}

/**
 * Bonds with nodes seen in Neighbors before they enter the table (go-ethereum's former `bondall`): each is
 * pinged once, and added when its Pong arrives. As go-ethereum's `bond`, a node whose endpoint
 * proof is still valid (a Pong within the bond lifetime, no FindNode failures) is not pinged
 * again: it is offered to the table at once. Bounded: at most `maxPending` pings in flight;
 * `close()` aborts them.
 */
export class NodeVerifier {
  readonly #table: Table
  readonly #transport: DiscoveryTransport
  readonly #log: Logger
  readonly #max: number
  readonly #bonds: BondState | undefined
  /** Pings in flight by node ID hex, each with its own controller (no shared-signal listeners). */
  readonly #pending = new Map<string, { done: Promise<boolean>; abort: AbortController }>()
  #closed = false

  constructor(
    table: Table,
    transport: DiscoveryTransport,
    log: Logger,
    maxPending?: number,
    bonds?: BondState,
  ) {
    this.#table = table
    this.#transport = transport
    this.#log = log
    this.#max = maxPending ?? verifierDefaults.maxPending
    this.#bonds = bonds
  }

  /** Pings in flight. */
  get pending(): number {
    return this.#pending.size
  }

  /**
   * Pings `node` unless it is in the table or already being pinged; resolves true when it
   * answered (and was offered to the table), false otherwise. A node still bonded is offered
   * to the table without a ping (resolves true). Never rejects.
   */
  verify(node: Node): Promise<boolean> {
    if (this.#closed || this.#table.has(node.idHex)) return Promise.resolve(false)
    if (node.idHex === this.#table.self.idHex) return Promise.resolve(false)
    const running = this.#pending.get(node.idHex)
    if (running) return running.done
    if (this.#stillBonded(node)) {
      this.#table.add(node)
      return Promise.resolve(true)
    }
    if (this.#pending.size >= this.#max) return Promise.resolve(false)
    const abort = new AbortController()
    const done = this.#transport
      .ping(node, { signal: abort.signal })
      .then(
        (pong) => {
          if (abort.signal.aborted) return false
          if (this.#table.add(node) === 'added' && pong.enrSeq !== undefined) {
            const e = this.#table.entry(node.idHex)
            if (e) e.enrSeq = pong.enrSeq
          }
          return true
        },
        (e: Error) => {
          this.#log.debug('no pong from new node', { node: `${node}`, err: e.message })
          return false
        },
      )
      .finally(() => this.#pending.delete(node.idHex))
    this.#pending.set(node.idHex, { done, abort })
    return done
  }

  #stillBonded(node: Node): boolean {
    const b = this.#bonds
    if (!b) return false
    const pong = b.db.lastPongReceived(node.id, node.ip)
    const lifetime = b.bondExpirationMs ?? udpv4Defaults.bondExpirationMs
    return pong > 0 && b.clock.now() - pong <= lifetime && b.db.findFails(node.id, node.ip) === 0
  }

  /** Waits for every ping in flight (tests and orderly shutdown). */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending.values()].map((p) => p.done))
  }

  /** Aborts the pings in flight; later `verify` calls do nothing. */
  stop(): void {
    this.#closed = true
    for (const p of this.#pending.values()) p.abort.abort()
  }
}
