/** A queue that drains in the background and drops its oldest entries when full. */
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

  async #drain(): Promise<void> {
    this.#draining = true
    try {
      while (this.#items.length > 0 && !this.#closed) {
        await this.send(this.#items.splice(0, this.batch))
      }
    } catch (err) {
      this.close()
      this.onError(err)
    } finally {
      this.#draining = false
    }
  }
}
