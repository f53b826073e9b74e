import {
  type Clock,
  formatDuration,
  type Logger,
  noopLogger,
  type Startable,
  sleep,
  systemClock,
  TypedEventTarget,
} from '@x/core'
import { Node, parseEnode } from '@x/discover'
import { type Network, serverDefaults } from '@x/p2p'
import { type HeartbeatConnector, isAlreadyConnected, rlpxConnector } from './connector.js'
import { durationOption, HeartbeatError } from './errors.js'
import { type HeartbeatLink, HeartbeatProtocol } from './protocol.js'
import {
  addressSize,
  type HeartbeatRecord,
  headSize,
  heartbeatRecordVersion,
  maxNicknameLength,
  zeroAddress,
} from './record.js'

/** The chain head a node reports. */
export interface HeadInfo {
  /** Head block hash (32 bytes). */
  hash: Uint8Array
  /** Head block number. */
  height: number | bigint
}

export const heartbeatServiceDefaults = {
  /** As in filecoin's default config. */
  beatPeriod: '3s',
  reconnectPeriod: '10s',
  nickname: '',
  /** Continuous connection failure is logged at warn, and at error at most once per this. */
  errorLogPeriod: 10 * 60_000,
} as const

export interface HeartbeatServiceOptions {
  /** The aggregator: its enode URL (or a parsed Node). */
  beatTarget: string | Node
  /** Time between beats, e.g. "3s" (default "3s"). */
  beatPeriod?: string | number
  /** Time between connection attempts, e.g. "10s" (default "10s"). */
  reconnectPeriod?: string | number
  nickname?: string
  /** The node's head, read at every beat. */
  headGetter: () => HeadInfo
  /** The node's coinbase/operator address (20 bytes); the zero address by default. */
  minerAddressGetter?: () => Uint8Array
  /** Connected devp2p peers (give `() => server.peerCount()`); 0 by default. */
  peerCountGetter?: () => number
  /** Our node ID (64 bytes): put in every record. Must be the identity the link uses. */
  nodeId: Uint8Array
  /** Client id put in every record (default the p2p server's default name). */
  clientVersion?: string
  /**
   * How to reach the aggregator. Default: {@link rlpxConnector} with `privateKey`, `network`
   * and `protocol`, which need to be given then.
   */
  connector?: HeartbeatConnector
  privateKey?: Uint8Array
  network?: Network
  /**
   * The `heartbeat/1` instance whose links the default connector uses. Add the same instance to
   * the node's Server protocols so an existing link to the aggregator is reused.
   */
  protocol?: HeartbeatProtocol
  /** TCP port the default connector announces in its hello. */
  listenPort?: number
  /** Name of this service in logs (e.g. "alerts"). */
  name?: string
  clock?: Clock
  logger?: Logger
}

export interface HeartbeatServiceEvents extends Record<string, unknown> {
  connected: { target: Node }
  disconnected: { target: Node; error?: unknown }
  /** A connection attempt failed; `level` is how it was logged. */
  'connect:failed': { error: unknown; failingFor: number; level: 'warn' | 'error' }
  'beat:sent': { record: HeartbeatRecord }
  /** A beat could not be sent (the link is then dropped and reconnected). */
  'beat:failed': { error: unknown }
}

function abortPromise(signal: AbortSignal): { promise: Promise<never>; cleanup: () => void } {
  let cleanup = () => {}
  const promise = new Promise<never>((_, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    cleanup = () => signal.removeEventListener('abort', onAbort)
  })
  promise.catch(() => {})
  return { promise, cleanup }
}

/** What a record is built from, resolved once at construction. */
interface RecordSource {
  headGetter: () => HeadInfo
  minerAddressGetter: () => Uint8Array
  peerCountGetter: () => number
  nodeId: Uint8Array
  clientVersion: string
}

/**
 * The heartbeat sender (filecoin's `HeartbeatService`). Construction checks and resolves every
 * option (invalid periods, target or options throw there) and opens nothing. `start()` starts
 * the connection loop and resolves at once — connect to the aggregator over RLPx with
 * `heartbeat/1`; on failure wait `reconnectPeriod` and retry, logging each failure at warn and
 * at error at most once per 10 minutes of continuous failure, with how long it has been failing;
 * once connected, `run` sends a beat at once and every `beatPeriod` until a send fails or the
 * link drops, then it reconnects. `stop()` (or aborting the signal given to `start`) ends the
 * loop promptly and closes the link.
 */
export class HeartbeatService
  extends TypedEventTarget<HeartbeatServiceEvents>
  implements Startable
{
  readonly target: Node
  readonly beatPeriod: number
  readonly reconnectPeriod: number
  readonly nickname: string
  /** The protocol the default connector runs (add it to the node's Server). */
  readonly protocol: HeartbeatProtocol
  readonly #record: RecordSource
  readonly #connect: HeartbeatConnector
  readonly #clock: Clock
  readonly #log: Logger
  #abort: AbortController | undefined
  #loop: Promise<void> | undefined

  constructor(options: HeartbeatServiceOptions) {
    super()
    this.beatPeriod = durationOption(
      options.beatPeriod ?? heartbeatServiceDefaults.beatPeriod,
      'beatPeriod',
    )
    this.reconnectPeriod = durationOption(
      options.reconnectPeriod ?? heartbeatServiceDefaults.reconnectPeriod,
      'reconnectPeriod',
    )
    try {
      this.target =
        typeof options.beatTarget === 'string' ? parseEnode(options.beatTarget) : options.beatTarget
    } catch (cause) {
      throw new HeartbeatError('ERR_INVALID_CONFIG', `beatTarget: ${(cause as Error).message}`, {
        cause,
      })
    }
    if (!(this.target instanceof Node)) {
      throw new HeartbeatError('ERR_INVALID_CONFIG', 'beatTarget must be an enode URL')
    }
    if (options.nodeId.length !== 64) {
      throw new HeartbeatError('ERR_INVALID_CONFIG', 'nodeId must be 64 bytes')
    }
    if (typeof options.headGetter !== 'function') {
      throw new HeartbeatError('ERR_INVALID_CONFIG', 'headGetter is required')
    }
    this.nickname = options.nickname ?? heartbeatServiceDefaults.nickname
    if (new TextEncoder().encode(this.nickname).length > maxNicknameLength) {
      throw new HeartbeatError(
        'ERR_INVALID_CONFIG',
        `nickname longer than ${maxNicknameLength} bytes`,
      )
    }
    const clientVersion = options.clientVersion ?? serverDefaults.name
    this.#record = {
      headGetter: options.headGetter,
      minerAddressGetter: options.minerAddressGetter ?? (() => zeroAddress),
      peerCountGetter: options.peerCountGetter ?? (() => 0),
      nodeId: options.nodeId,
      clientVersion,
    }
    this.#clock = options.clock ?? systemClock
    this.#log = (options.logger ?? noopLogger).child({
      component: options.name ?? 'heartbeat',
      target: this.target.toString(),
    })
    this.protocol =
      options.protocol ?? new HeartbeatProtocol({ logger: options.logger ?? noopLogger })
    if (options.connector) {
      this.#connect = options.connector
    } else {
      if (!options.privateKey || !options.network) {
        throw new HeartbeatError(
          'ERR_INVALID_CONFIG',
          'give privateKey and network (or a connector) to reach the aggregator',
        )
      }
      this.#connect = rlpxConnector({
        privateKey: options.privateKey,
        network: options.network,
        protocol: this.protocol,
        clientId: clientVersion,
        clock: this.#clock,
        logger: this.#log,
        ...(options.listenPort !== undefined ? { listenPort: options.listenPort } : {}),
      })
    }
  }

  /** True from `start()` until the loop has ended. */
  get running(): boolean {
    return this.#loop !== undefined
  }

  /** The record sent now: head, height, nickname, miner address and the operator fields. */
  beat(): HeartbeatRecord {
    const r = this.#record
    const head = r.headGetter()
    const miner = r.minerAddressGetter()
    if (head.hash.length !== headSize) {
      throw new HeartbeatError('ERR_INVALID_CONFIG', `head hash must be ${headSize} bytes`)
    }
    if (miner.length !== addressSize) {
      throw new HeartbeatError('ERR_INVALID_CONFIG', `miner address must be ${addressSize} bytes`)
    }
    return {
      version: heartbeatRecordVersion,
      head: head.hash,
      height: Number(head.height),
      nickname: this.nickname,
      minerAddress: miner,
      nodeId: r.nodeId,
      clientVersion: r.clientVersion,
      peerCount: r.peerCountGetter(),
      timestamp: this.#clock.now(),
      period: this.beatPeriod,
    }
  }

  /**
   * Starts the connection loop and resolves once it runs (never rejects). The loop runs until
   * `stop()`, or until `signal` aborts. Calling it while running does nothing.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#loop) return
    const abort = new AbortController()
    this.#abort = abort
    const combined = signal ? AbortSignal.any([signal, abort.signal]) : abort.signal
    this.#loop = this.#connectionLoop(combined)
      // Nobody awaits the loop until stop(): a failure it did not handle is logged, not thrown.
      .catch((err: unknown) => this.#log.error('heartbeat: loop failed', { err }))
      .finally(() => {
        this.#loop = undefined
        this.#abort = undefined
      })
  }

  /** Ends the loop and closes the link; resolves once both are done. Idempotent. */
  async stop(): Promise<void> {
    const loop = this.#loop
    this.#abort?.abort(new HeartbeatError('ERR_LINK_CLOSED', 'heartbeat service stopped'))
    await loop
  }

  async #connectionLoop(signal: AbortSignal): Promise<void> {
    // When the current run of failures began, and when it was last logged at error.
    let failedAt: number | undefined
    let erroredAt = 0
    // Whether the last reconnect skipped its wait (one in a row at most: no busy loop).
    let quick = false
    while (!signal.aborted) {
      let link: HeartbeatLink
      try {
        link = await this.#connect(this.target, signal)
      } catch (error) {
        if (signal.aborted) break
        const now = this.#clock.now()
        if (failedAt === undefined) {
          failedAt = now
          erroredAt = now
        }
        const failingFor = now - failedAt
        const fields = { failingFor: formatDuration(Math.max(1, failingFor)), err: error }
        let level: 'warn' | 'error' = 'warn'
        if (now - erroredAt >= heartbeatServiceDefaults.errorLogPeriod) {
          level = 'error'
          erroredAt = now
          this.#log.error('heartbeat: cannot connect to aggregator', fields)
        } else {
          this.#log.warn('heartbeat: cannot connect to aggregator', fields)
        }
        this.emit('connect:failed', { error, failingFor, level })
        await sleep(this.#clock, this.reconnectPeriod, signal).catch(() => {})
        continue
      }
      failedAt = undefined
      this.#log.info('heartbeat: connected to aggregator')
      this.emit('connected', { target: this.target })
      let runError: unknown
      let raced = false
      try {
        await this.run(link, signal)
      } catch (err) {
        runError = err
        raced = lostRace(err)
        if (raced) this.#log.info('heartbeat: aggregator already connected, using that link')
        else this.#log.warn('heartbeat: link lost', { err })
      } finally {
        await link.close()
      }
      this.emit('disconnected', {
        target: this.target,
        ...(runError === undefined ? {} : { error: runError }),
      })
      // A link the aggregator dropped as a duplicate of the node's own connection to it: that
      // connection is there to use now (the connector shares it), so no reconnect wait, once.
      const skipWait: boolean = raced && !quick
      quick = skipWait
      if (!signal.aborted && !skipWait) {
        await sleep(this.#clock, this.reconnectPeriod, signal).catch(() => {})
      }
    }
  }

  /**
   * Sends `beat()` over `link` at once and then every `beatPeriod`. Resolves when `signal`
   * aborts; rejects with `ERR_SEND_FAILED` when a send fails and `ERR_LINK_CLOSED` when the link
   * ends. A head getter that throws skips that beat (logged).
   */
  async run(link: HeartbeatLink, signal: AbortSignal): Promise<void> {
    const aborted = abortPromise(signal)
    // Waits between beats end early when the link drops, not only on abort.
    const either = AbortSignal.any([signal, link.signal])
    const closed = (cause: unknown) =>
      new HeartbeatError('ERR_LINK_CLOSED', 'aggregator link closed', { cause })
    try {
      while (!signal.aborted) {
        if (link.signal.aborted) throw closed(link.signal.reason)
        let record: HeartbeatRecord | undefined
        try {
          record = this.beat()
        } catch (err) {
          this.#log.warn('heartbeat: cannot build record, beat skipped', { err })
        }
        if (record) {
          try {
            await Promise.race([link.send(record), aborted.promise])
          } catch (cause) {
            if (signal.aborted) return
            const error = new HeartbeatError(
              'ERR_SEND_FAILED',
              `heartbeat send failed: ${String(cause)}`,
              { cause },
            )
            this.emit('beat:failed', { error })
            throw error
          }
          this.emit('beat:sent', { record })
        }
        try {
          await sleep(this.#clock, this.beatPeriod, either)
        } catch (cause) {
          if (signal.aborted) return
          throw closed(cause)
        }
      }
    } finally {
      aborted.cleanup()
    }
  }
}

/** A link that ended because the aggregator already had a connection from this node. */
function lostRace(err: unknown): boolean {
  return err instanceof HeartbeatError && isAlreadyConnected(err.cause)
}
