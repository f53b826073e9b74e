/**
 * Items waiting per source, served round-robin (one per source in turn): a source that sends
 * a thousand datagrams waits its turn like one that sends one. Bounded: at most `perSource`
 * items per source and `maxSources` sources; `push` refuses beyond them (tail drop).
 */
export class FairQueue<T> {
  /** Map order is the service order: a served source goes to the back. */
  readonly #bySource = new Map<string, T[]>()
  readonly #perSource: number
  readonly #maxSources: number
  #size = 0

  constructor(perSource: number, maxSources: number) {
    this.#perSource = perSource
    this.#maxSources = maxSources
  }

  /** Queues `item` of `source`; false when that source or the queue is full. */
  push(source: string, item: T): boolean {
    let q = this.#bySource.get(source)
    if (!q) {
      if (this.#bySource.size >= this.#maxSources) return false
      q = []
      this.#bySource.set(source, q)
    }
    if (q.length >= this.#perSource) return false
    q.push(item)
    this.#size++
    return true
  }

  /** The next item: the oldest of the source whose turn it is. */
  shift(): T | undefined {
    const next = this.#bySource.entries().next()
    if (next.done) return undefined
    const [source, q] = next.value
    const item = q.shift()
    this.#bySource.delete(source)
    if (q.length > 0) this.#bySource.set(source, q)
    this.#size--
    return item
  }

  /** Items queued. */
  get size(): number {
    return this.#size
  }

  /** Sources with items queued. */
  get sources(): number {
    return this.#bySource.size
  }

  clear(): void {
    this.#bySource.clear()
    this.#size = 0
  }
}
