import type { Clock, Logger } from '@x/core'
import type { Node } from '@x/discover'
import type { DialDiscovery } from './discovery.js'
import { type DialFilter, filteredCandidates } from './filter.js'
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
 * discovery lookup iterator into free dynamic slots, waiting while none is free, and backing off
 * when every recent candidate was undialable. One run at a time; `stop()` closes the iterator.
 */
export class DialIntake {
  readonly #clock: Clock
  readonly #log: Logger
  readonly #slots: IntakeSlots
  #wake: (() => void) | undefined
  #run: Promise<void> | undefined
  #abort: AbortController | undefined

  readonly #filter: DialFilter | undefined

  constructor(clock: Clock, log: Logger, slots: IntakeSlots, filter?: DialFilter) {
    this.#clock = clock
    this.#log = log
    this.#slots = slots
    this.#filter = filter
  }

  /** Discovery's lookup results, through the dial filter when there is one. */
  #candidates(discovery: DialDiscovery, signal: AbortSignal): AsyncIterator<Node> {
    const found = discovery.randomNodes({ signal })
    const filter = this.#filter
    const requestENR = discovery.requestENR?.bind(discovery)
    if (!filter) return found
    if (!requestENR) {
      this.#log.warn('dial filter set but discovery cannot fetch records: dialing none')
      return (async function* () {})()
    }
    const log = this.#log
    return filteredCandidates(found, requestENR, filter, signal, undefined, (node, why) =>
      log.debug('dial candidate skipped', { id: node.idHex.slice(0, 16), why }),
    )
  }

  start(discovery: DialDiscovery): void {
    const ac = new AbortController()
    this.#abort = ac
    this.#run = this.#read(discovery, ac.signal)
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

  async #read(discovery: DialDiscovery, signal: AbortSignal): Promise<void> {
    let it: AsyncIterator<Node> | undefined
    // A discovery iterator that ignores the signal must not hold up stop().
    const aborted = new Promise<IteratorResult<Node>>((resolve) => {
      const done = () => resolve({ done: true, value: undefined })
      if (signal.aborted) done()
      else signal.addEventListener('abort', done, { once: true })
    })
    try {
      it = this.#candidates(discovery, signal)
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
      if (!signal.aborted) this.#log.warn('discovery iterator failed', { error: String(err) })
    } finally {
      this.#wake = undefined
      void it?.return?.()?.catch(() => {})
    }
  }
}
