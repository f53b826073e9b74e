import { toHex } from '@x/core'
import { Enr } from '../enr/enr.js'
import { nodeIdHash } from '../node.js'

/**
 * Records of other nodes by discv5 ID (hex), an LRU of `max`: the one with the higher seq wins
 * (a record never goes back to an older version).
 */
export class RecordStore {
  readonly #byId = new Map<string, Enr>()

  constructor(private readonly max: number) {}

  static decode(raw: Uint8Array): Enr {
    return Enr.decode(raw)
  }

  get size(): number {
    return this.#byId.size
  }

  get(idHex: string): Enr | undefined {
    return this.#byId.get(idHex)
  }

  /** Stores `enr` unless we hold a newer one: 'new', 'updated' (higher seq) or 'kept'. */
  put(enr: Enr): 'new' | 'updated' | 'kept' {
    const id = toHex(nodeIdHash(enr.nodeId))
    const old = this.#byId.get(id)
    if (old && old.seq >= enr.seq) {
      this.#byId.delete(id)
      this.#byId.set(id, old)
      return 'kept'
    }
    this.#byId.delete(id)
    this.#byId.set(id, enr)
    if (this.#byId.size > this.max) this.#byId.delete(this.#byId.keys().next().value!)
    return old ? 'updated' : 'new'
  }
}
