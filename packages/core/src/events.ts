/** A listener of a typed event: receives a CustomEvent whose `detail` has the mapped type. */
export type TypedListener<T> = (event: CustomEvent<T>) => void

export interface ListenerOptions {
  once?: boolean
  /** Removes the listener when aborted. */
  signal?: AbortSignal
}

/**
 * A typed event target: `EventMap` maps event names to their `detail` types, so
 * `target.addEventListener('node:added', (e) => e.detail.id)` type-checks. Built on Node's
 * EventTarget (a listener that throws is reported as an uncaught exception, as in browsers).
 */
export class TypedEventTarget<EventMap extends Record<string, unknown>> {
  readonly #target = new EventTarget()

  addEventListener<K extends keyof EventMap & string>(
    type: K,
    listener: TypedListener<EventMap[K]>,
    options?: ListenerOptions,
  ): void {
    this.#target.addEventListener(type, listener as (e: Event) => void, options)
  }

  removeEventListener<K extends keyof EventMap & string>(
    type: K,
    listener: TypedListener<EventMap[K]>,
  ): void {
    this.#target.removeEventListener(type, listener as (e: Event) => void)
  }

  /** Dispatches a CustomEvent carrying `detail` to the listeners of `type`. */
  emit<K extends keyof EventMap & string>(type: K, detail: EventMap[K]): void {
    this.#target.dispatchEvent(new CustomEvent(type, { detail }))
  }
}
