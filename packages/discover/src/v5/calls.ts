import type { TimerHandle } from '@x/core'
import type { Enr } from '../enr/enr.js'
import type { Node } from '../node.js'
import type { UdpAddress } from '../udp/transport.js'
import type { Message, MessageName } from '../v5wire/messages.js'
import type { WhoareyouPacket } from '../v5wire/packet.js'

/** A request in flight (go-ethereum's callV5): sent or queued behind another to the same node. */
export interface Call {
  node: Node
  /** The node's discv5 ID (keccak256 of its public key) and its hex. */
  destId: Uint8Array
  destHex: string
  addr: UdpAddress
  message: Message
  reqIdHex: string
  responseType: MessageName
  /** Distances of a FINDNODE, to check the NODES records against. */
  distances: number[] | undefined
  /** Nonce (hex) of the last packet that carried the request. */
  nonceHex: string | undefined
  /** WHOAREYOUs answered for this call (one at most). */
  handshakes: number
  /** Timeouts retried (a lost packet that started a handshake is sent once more). */
  retries: number
  /** The WHOAREYOU to answer with the next send. */
  challenge: WhoareyouPacket | undefined
  /** NODES accumulation. */
  total: number | undefined
  received: number
  records: { enr: Enr; node: Node }[]
  seen: Set<string>
  timer: TimerHandle | undefined
  resolve(m: Message | { enr: Enr; node: Node }[]): void
  reject(e: unknown): void
}

/**
 * The requests in flight (go-ethereum's activeCallByNode, activeCallByAuth and callQueues): one
 * active call per node, found by node or by the nonce of its last packet; later calls to the
 * same node wait in its queue. Bounded by the caller (`size` against `maxPendingCalls`).
 */
export class CallTable {
  readonly #active = new Map<string, Call>()
  readonly #byNonce = new Map<string, Call>()
  readonly #queued = new Map<string, Call[]>()
  #size = 0

  /** Calls active or queued. */
  get size(): number {
    return this.#size
  }

  /** Adds a call: true when it is active at once (send it), false when it queues. */
  add(call: Call): boolean {
    this.#size++
    if (this.#active.has(call.destHex)) {
      const q = this.#queued.get(call.destHex) ?? []
      q.push(call)
      this.#queued.set(call.destHex, q)
      return false
    }
    this.#active.set(call.destHex, call)
    return true
  }

  active(destHex: string): Call | undefined {
    return this.#active.get(destHex)
  }

  byNonce(nonceHex: string): Call | undefined {
    return this.#byNonce.get(nonceHex)
  }

  /** The call was (re)sent in a packet with this nonce. */
  setNonce(call: Call, nonceHex: string): void {
    if (call.nonceHex) this.#byNonce.delete(call.nonceHex)
    call.nonceHex = nonceHex
    this.#byNonce.set(nonceHex, call)
  }

  /**
   * Removes a call. Returns false when it was not there (finished already); else the next call
   * of its node, now active (to send), or undefined.
   */
  remove(call: Call): Call | undefined | false {
    if (this.#active.get(call.destHex) === call) {
      this.#active.delete(call.destHex)
      if (call.nonceHex) this.#byNonce.delete(call.nonceHex)
      this.#size--
      const q = this.#queued.get(call.destHex)
      const next = q?.shift()
      if (q && q.length === 0) this.#queued.delete(call.destHex)
      if (next) this.#active.set(next.destHex, next)
      return next
    }
    const q = this.#queued.get(call.destHex)
    const i = q?.indexOf(call) ?? -1
    if (!q || i < 0) return false
    q.splice(i, 1)
    if (q.length === 0) this.#queued.delete(call.destHex)
    this.#size--
    return undefined
  }

  /** Every call, active ones first. */
  all(): Call[] {
    return [...this.#active.values(), ...[...this.#queued.values()].flat()]
  }
}
