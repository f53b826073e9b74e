import type { Clock } from '@x/core'
import type { NodeDB } from '../db/types.js'
import type { NodeId } from '../node.js'

/**
 * The endpoint proof (bond) state of discv4, kept in the node DB per (ID, IP): a node's Pong
 * to our Ping proves its endpoint to us; its Ping to us lets it expect the same of us. Either
 * holds for `expirationMs` after it was received.
 */
export class Bonds {
  readonly #db: NodeDB
  readonly #clock: Clock
  readonly #expirationMs: number

  constructor(db: NodeDB, clock: Clock, expirationMs: number) {
    this.#db = db
    this.#clock = clock
    this.#expirationMs = expirationMs
  }

  /** It answered our Ping within the bond lifetime: we may answer its FindNode/ENRRequest. */
  proven(id: NodeId, ip: string): boolean {
    return this.#clock.now() - this.#db.lastPongReceived(id, ip) <= this.#expirationMs
  }

  /** It pinged us within the bond lifetime: it will answer our FindNode/ENRRequest. */
  pingedUs(id: NodeId, ip: string): boolean {
    return this.#clock.now() - this.#db.lastPingReceived(id, ip) <= this.#expirationMs
  }

  /**
   * Records its Ping. `proven`: its endpoint is proven already (else we ping it back);
   * `first`: its previous Ping, if any, was outside the bond lifetime.
   */
  onPing(id: NodeId, ip: string): { proven: boolean; first: boolean } {
    const now = this.#clock.now()
    const lastPing = this.#db.lastPingReceived(id, ip)
    this.#db.updateLastPingReceived(id, ip, now)
    return {
      proven: now - this.#db.lastPongReceived(id, ip) <= this.#expirationMs,
      first: now - lastPing > this.#expirationMs,
    }
  }

  /** Records its Pong; true when this completes a new bond (it pinged us, no recent Pong). */
  onPong(id: NodeId, ip: string): boolean {
    const now = this.#clock.now()
    const lastPong = this.#db.lastPongReceived(id, ip)
    this.#db.updateLastPongReceived(id, ip, now)
    const pinged = now - this.#db.lastPingReceived(id, ip) <= this.#expirationMs
    return pinged && now - lastPong > this.#expirationMs
  }
}
