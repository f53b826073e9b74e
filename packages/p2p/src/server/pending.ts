import { P2PError } from '../errors.js'

/** One inbound connection in its handshake. */
export interface PendingSlot {
  readonly ip: string
  /** Aborted when the slot is taken back for a newcomer. */
  readonly signal: AbortSignal
  /** The encryption handshake is done: the slot can no longer be taken back. */
  authenticated(): void
  /** The setup ended: frees the slot (idempotent). */
  release(): void
}

interface Entry {
  ip: string
  ac: AbortController
  /** Still in the encryption handshake (a half-open connection stays here). */
  evictable: boolean
  released: boolean
  /** Taken back: called by the owner to close its connection. */
  onEvict: () => void
}

/**
 * The inbound handshake slots (go-ethereum's `listenLoop` slots, made fair): at most `max` in
 * total (`maxPendingPeers`) and `maxPerIp` per address, LAN addresses included. When every slot is taken, the
 * newcomer gets one if its address holds fewer than the most represented one: that address's
 * oldest connection still in the encryption handshake gives way. So a flood from one address
 * (or a few) holds few slots, and a new address always finds one.
 */
export class PendingSlots {
  /** Pending handshakes one address may hold. */
  readonly maxPerIp: number
  /** Oldest first, per address; the map keeps no empty list. */
  readonly #byIp = new Map<string, Entry[]>()
  #size = 0

  constructor(maxPerIp: number) {
    this.maxPerIp = maxPerIp
  }

  get size(): number {
    return this.#size
  }

  /** Pending handshakes from `ip`. */
  count(ip: string): number {
    return this.#byIp.get(ip)?.length ?? 0
  }

  /** Why a connection from `ip` would get no slot when `max` may be pending, or undefined. */
  refusal(ip: string, max: number): string | undefined {
    const mine = this.count(ip)
    if (mine >= this.maxPerIp) return 'too many pending handshakes from this address'
    if (this.#size >= max && !this.#victim(mine)) return 'too many pending handshakes'
    return undefined
  }

  /**
   * A slot for a connection from `ip` when `max` may be pending, or why there is none; a full
   * table first takes back the slot {@link refusal} found. `onEvict` is called when this slot is
   * taken back (its owner closes the connection there).
   */
  take(ip: string, max: number, onEvict: () => void): PendingSlot | string {
    const refused = this.refusal(ip, max)
    if (refused !== undefined) return refused
    if (this.#size >= max) this.#evict(this.#victim(this.count(ip)) as Entry)
    const entry: Entry = {
      ip,
      ac: new AbortController(),
      evictable: true,
      released: false,
      onEvict,
    }
    const list = this.#byIp.get(ip)
    if (list) list.push(entry)
    else this.#byIp.set(ip, [entry])
    this.#size++
    return {
      ip,
      signal: entry.ac.signal,
      authenticated: () => {
        entry.evictable = false
      },
      release: () => this.#remove(entry),
    }
  }

  /** The oldest slot still in the encryption handshake of the most represented address holding more than `mine`. */
  #victim(mine: number): Entry | undefined {
    let victims: Entry[] | undefined
    for (const list of this.#byIp.values()) {
      if (list.length <= mine || !list.some((e) => e.evictable)) continue
      if (victims === undefined || list.length > victims.length) victims = list
    }
    return victims?.find((e) => e.evictable)
  }

  #evict(victim: Entry): void {
    this.#remove(victim)
    victim.ac.abort(
      new P2PError('ERR_INBOUND_REFUSED', 'pending handshake gave way to another address'),
    )
    victim.onEvict()
  }

  #remove(entry: Entry): void {
    if (entry.released) return
    entry.released = true
    const list = this.#byIp.get(entry.ip)
    if (!list) return
    const i = list.indexOf(entry)
    if (i >= 0) list.splice(i, 1)
    if (list.length === 0) this.#byIp.delete(entry.ip)
    this.#size--
  }
}
