/**
 * A queue that drains in the background and drops its oldest entries when full. Each send takes
 * at most `batch` items and, with `sizeOf`, stops adding once `maxBytes` is reached (always at
 * least one item): go-ethereum's broadcast loops fill a message up to `maxTxPacketSize`.
 */
export class SendQueue<T> {
  readonly #items: T[] = []
  #draining = false
  #closed = false
  dropped = 0

  constructor(
    private readonly max: number,
    private readonly batch: number,
    private readonly send: (items: T[]) => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly sizeOf?: (item: T) => number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  push(items: T[]): void {
    if (this.#closed) return
    for (const item of items) {
      if (this.#items.length >= this.max) {
        this.#items.shift()
        this.dropped++
      }
      this.#items.push(item)
    }
    if (!this.#draining) void this.#drain()
  }

  get length(): number {
    return this.#items.length
  }

  close(): void {
    this.#closed = true
    this.#items.length = 0
  }

  /** How many items the next send takes. */
  #take(): number {
    const n = Math.min(this.batch, this.#items.length)
    if (!this.sizeOf) return n
    let bytes = 0
    for (let i = 0; i < n; i++) {
      bytes += this.sizeOf(this.#items[i] as T)
      if (bytes >= this.maxBytes) return i + 1
    }
    return n
  }

  async #drain(): Promise<void> {
    this.#draining = true
    try {
      while (this.#items.length > 0 && !this.#closed) {
        await this.send(this.#items.splice(0, this.#take()))
      }
    } catch (err) {
      this.close()
      this.onError(err)
    } finally {
      this.#draining = false
    }
  }
}
