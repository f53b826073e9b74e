import type { Clock, Logger } from '@x/core'
import type { Node } from '@x/discover'
import { dialDefaults } from './options.js'

/** What the intake asks of the scheduler. */
export interface IntakeSlots {
  /** Free dynamic dial slots now. */
  free(): number
  /** Dials `node` as dynamic if it is dialable; false when it was skipped. */
  offer(node: Node): boolean
}

/**
 * The dial scheduler's candidate intake (go-ethereum's `readNodes`): feeds nodes from the
 * candidate iterator (discovery's lookups and any other dial sources, fairly mixed) into free
 * dynamic slots, waiting while none is free, and backing off
 * when every recent candidate was undialable. One run at a time; `stop()` closes the iterator.
 */
export class DialIntake {
  readonly #clock: Clock
  readonly #log: Logger
  readonly #slots: IntakeSlots
  #wake: (() => void) | undefined
  #run: Promise<void> | undefined
  #abort: AbortController | undefined

  constructor(clock: Clock, log: Logger, slots: IntakeSlots) {
    this.#clock = clock
    this.#log = log
    this.#slots = slots
  }

  /** Starts reading candidates from `open(signal)` (discovery's lookups mixed with the sources). */
  start(open: (signal: AbortSignal) => AsyncIterator<Node>): void {
    const ac = new AbortController()
    this.#abort = ac
    this.#run = this.#read(open, ac.signal)
  }

  /** Stops the run (if any) and resolves once it returned. */
  async stop(): Promise<void> {
    this.#abort?.abort(new Error('dial scheduler stopped'))
    this.#abort = undefined
    this.#wake?.()
    await this.#run
    this.#run = undefined
  }

  /** Wakes the intake if it waits (a slot freed). */
  wake(): void {
    const wake = this.#wake
    if (!wake) return
    this.#wake = undefined
    wake()
  }

  /** Waits until `wake()` or, if given, `ms` passed. */
  #pause(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer =
        ms === undefined
          ? undefined
          : this.#clock.setTimeout(() => {
              this.#wake = undefined
              resolve()
            }, ms)
      this.#wake = () => {
        if (timer !== undefined) this.#clock.clearTimeout(timer)
        resolve()
      }
    })
  }

  async #read(
    open: (signal: AbortSignal) => AsyncIterator<Node>,
    signal: AbortSignal,
  ): Promise<void> {
    let it: AsyncIterator<Node> | undefined
    // A discovery iterator that ignores the signal must not hold up stop().
    const aborted = new Promise<IteratorResult<Node>>((resolve) => {
      const done = () => resolve({ done: true, value: undefined })
      if (signal.aborted) done()
      else signal.addEventListener('abort', done, { once: true })
    })
    try {
      it = open(signal)
      let skipped = 0
      while (!signal.aborted) {
        if (this.#slots.free() === 0) {
          await this.#pause()
          continue
        }
        if (skipped >= dialDefaults.pumpSkipLimit) {
          // Every recent candidate was undialable (small network, all in history): do not spin
          // through lookups; wait for a change of state or a while.
          skipped = 0
          await this.#pause(dialDefaults.pumpBackoff)
          continue
        }
        const next = await Promise.race([it.next(), aborted])
        if (next.done || signal.aborted) break
        if (this.#slots.free() > 0 && this.#slots.offer(next.value)) skipped = 0
        else skipped++
      }
    } catch (err) {
      if (!signal.aborted) this.#log.warn('discovery iterator failed', { err: String(err) })
    } finally {
      this.#wake = undefined
      void it?.return?.()?.catch(() => {})
    }
  }
}
