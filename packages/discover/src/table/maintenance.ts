import type { TimerHandle } from '@x/core'
import { DiscoverError } from '../errors.js'
import type { TableContext } from './context.js'
import { tableDefaults } from './options.js'
import { refresh } from './refresh.js'
import { revalidate } from './revalidation.js'
import { copyLiveNodes } from './seeds.js'

export interface MaintenanceOptions {
  /** Mean time between revalidation pings (default 10 s; each wait is 0.5–1.5 × this). */
  revalidateIntervalMs?: number
  /** Time between refreshes (default 30 min). */
  refreshIntervalMs?: number
  /** Time between copies of live nodes to the DB (default 30 s). */
  copyNodesIntervalMs?: number
  /** Time between sweeps deleting DB records unseen for 24 h (default 1 h). */
  dbExpireIntervalMs?: number
  /**
   * How long a node must have been in the table (and answered a revalidation ping) before the
   * copy stores it as a restart seed (default 5 min, as go-ethereum's seedMinTableTime).
   */
  seedMinTableTimeMs?: number
}

/**
 * The loops that keep the table fresh (go-ethereum's Table.loop), all on the injected clock:
 * revalidation about every 10 s, a refresh at start, every 30 min and whenever the table
 * becomes empty, a copy of long-lived nodes to the DB every 30 s, and an hourly sweep of DB
 * records unseen for 24 h (go-ethereum's DB expirer; live nodes are kept fresh by the copy, so
 * they never expire). One refresh runs at a
 * time (callers join it). `stop()` clears every timer and aborts the work in flight.
 */
export class TableMaintenance {
  readonly #ctx: TableContext
  readonly #revalidateMs: number
  readonly #refreshMs: number
  readonly #copyMs: number
  readonly #expireMs: number
  readonly #seedMinMs: number
  #abort: AbortController | undefined
  readonly #timers = new Set<TimerHandle>()
  #refreshing: Promise<void> | undefined
  #revalidating: Promise<void> | undefined

  constructor(ctx: TableContext, options: MaintenanceOptions = {}) {
    this.#ctx = ctx
    this.#revalidateMs = options.revalidateIntervalMs ?? tableDefaults.revalidateIntervalMs
    this.#refreshMs = options.refreshIntervalMs ?? tableDefaults.refreshIntervalMs
    this.#copyMs = options.copyNodesIntervalMs ?? tableDefaults.copyNodesIntervalMs
    this.#expireMs = options.dbExpireIntervalMs ?? tableDefaults.dbExpireIntervalMs
    this.#seedMinMs = options.seedMinTableTimeMs ?? tableDefaults.seedMinTableTimeMs
  }

  get running(): boolean {
    return this.#abort !== undefined
  }

  /** Starts the loops and the first refresh. Idempotent. */
  start(): void {
    if (this.#abort) return
    const abort = new AbortController()
    this.#abort = abort
    this.#ctx.table.addEventListener(
      'node:removed',
      () => {
        if (this.#ctx.table.size === 0) void this.refresh()
      },
      { signal: abort.signal },
    )
    this.#armRevalidate()
    this.#every(this.#refreshMs, () => void this.refresh())
    this.#every(this.#copyMs, () => {
      const now = this.#ctx.clock.now()
      const n = copyLiveNodes(this.#ctx.table, this.#ctx.db, now, this.#seedMinMs)
      if (n > 0) this.#ctx.logger.debug('copied live nodes to the DB', { nodes: n })
    })
    this.#every(this.#expireMs, () => {
      const before = this.#ctx.clock.now() - tableDefaults.dbNodeExpirationMs
      const n = this.#ctx.db.expireNodes(before)
      if (n > 0) this.#ctx.logger.debug('expired DB nodes', { nodes: n })
    })
    void this.refresh()
  }

  /** Runs a refresh now, or joins the one in progress; never rejects. */
  refresh(): Promise<void> {
    const abort = this.#abort
    if (!abort) return Promise.resolve()
    this.#refreshing ??= refresh(this.#ctx, abort.signal)
      .catch((e: Error) => {
        if (!abort.signal.aborted) this.#ctx.logger.warn('refresh failed', { err: e.message })
      })
      .finally(() => {
        this.#refreshing = undefined
      })
    return this.#refreshing
  }

  /** Clears the timers, aborts the refresh and revalidation in flight and waits for them. */
  async stop(): Promise<void> {
    const abort = this.#abort
    if (!abort) return
    this.#abort = undefined
    abort.abort(new DiscoverError('ERR_CLOSED', 'table maintenance stopped'))
    for (const t of this.#timers) this.#ctx.clock.clearTimeout(t)
    this.#timers.clear()
    await Promise.all([this.#refreshing, this.#revalidating])
  }

  #set(fn: () => void, ms: number): void {
    const t = this.#ctx.clock.setTimeout(() => {
      this.#timers.delete(t)
      if (this.#abort) fn()
    }, ms)
    this.#timers.add(t)
  }

  #every(ms: number, fn: () => void): void {
    this.#set(() => {
      fn()
      this.#every(ms, fn)
    }, ms)
  }

  #armRevalidate(): void {
    const delay = this.#revalidateMs * (0.5 + this.#ctx.table.random())
    this.#set(() => {
      const signal = this.#abort?.signal
      this.#revalidating = revalidate(this.#ctx, signal)
        .catch((e: Error) => {
          if (!signal?.aborted) this.#ctx.logger.warn('revalidation failed', { err: e.message })
        })
        .finally(() => {
          this.#revalidating = undefined
          if (this.#abort) this.#armRevalidate()
        })
    }, delay)
  }
}
