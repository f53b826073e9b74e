import type { RlpInput } from '@x/core'
import { Enr } from '../enr/enr.js'
import type { Node } from '../node.js'

/**
 * Our own node as discovery advertises it (go-ethereum's `enode.LocalNode`): the endpoint and
 * the signed record. Every change re-signs the record with seq + 1, so a peer that sees a higher
 * seq in our Pings and Pongs asks for the new one (EIP-868).
 */
export class LocalNode {
  readonly #key: Uint8Array
  #node: Node
  #enr: Enr
  #entries: Record<string, RlpInput> = {}

  /** `node` is our ID with the endpoint to advertise; `seq` the first record's sequence number. */
  constructor(privateKey: Uint8Array, node: Node, seq: bigint) {
    this.#key = privateKey
    this.#node = node
    this.#enr = this.#sign(seq)
  }

  get node(): Node {
    return this.#node
  }

  get enr(): Enr {
    return this.#enr
  }

  /** Changes the advertised endpoint; the record is re-signed only when it changed. */
  updateEndpoint(endpoint: { ip?: string; tcp?: number }): void {
    const next = this.#node.withEndpoint(endpoint)
    if (next.equals(this.#node)) return
    this.#node = next
    this.#enr = this.#sign(this.#enr.seq + 1n)
  }

  /** Adds or replaces entries other than the identity and endpoint ones (e.g. `eth`). */
  setEntries(entries: Record<string, RlpInput>): void {
    this.#entries = { ...this.#entries, ...entries }
    this.#enr = this.#sign(this.#enr.seq + 1n)
  }

  #sign(seq: bigint): Enr {
    const { ip, udp, tcp } = this.#node
    return Enr.create({ privateKey: this.#key, seq, ip, udp, tcp, entries: this.#entries })
  }
}
