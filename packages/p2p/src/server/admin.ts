import type { Node } from '@x/discover'
import { dialDefaults } from '../dial/options.js'
import { P2PError } from '../errors.js'
import { serverDefaults } from './options.js'

/**
 * The server's static and trusted nodes (go-ethereum's `StaticNodes`/`TrustedNodes`, changed by
 * `AddPeer`/`AddTrustedPeer`), by node ID in hex. Both are admitted when the server is full;
 * static ones are also kept connected by the dialer. Each set is bounded: adding to a full one
 * throws rather than evicting a node the operator chose.
 */
export class NodeSets {
  readonly #static = new Map<string, Node>()
  readonly #trusted = new Map<string, Node>()

  constructor(staticNodes: readonly Node[], trustedNodes: readonly Node[]) {
    for (const n of trustedNodes) this.#trusted.set(n.idHex, n)
    for (const n of staticNodes) this.#static.set(n.idHex, n)
  }

  addStatic(node: Node): void {
    if (this.#static.size >= dialDefaults.maxStatic && !this.#static.has(node.idHex)) {
      throw new P2PError('ERR_TOO_MANY_STATIC', `static set is full (${dialDefaults.maxStatic})`)
    }
    this.#static.set(node.idHex, node)
  }

  removeStatic(idHex: string): void {
    this.#static.delete(idHex)
  }

  addTrusted(node: Node): void {
    if (this.#trusted.size >= serverDefaults.maxTrusted && !this.#trusted.has(node.idHex)) {
      throw new P2PError(
        'ERR_TOO_MANY_TRUSTED',
        `trusted set is full (${serverDefaults.maxTrusted})`,
      )
    }
    this.#trusted.set(node.idHex, node)
  }

  removeTrusted(idHex: string): void {
    this.#trusted.delete(idHex)
  }

  isStatic(idHex: string): boolean {
    return this.#static.has(idHex)
  }

  isTrusted(idHex: string): boolean {
    return this.#trusted.has(idHex)
  }

  /** The static nodes, in the order they were added. */
  statics(): IterableIterator<Node> {
    return this.#static.values()
  }
}
