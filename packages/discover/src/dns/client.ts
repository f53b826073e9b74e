import { type Clock, type Logger, noopLogger, sleep, systemClock } from '@x/core'
import { DnsError } from '../errors.js'
import { systemTxtResolver, type TxtResolver, withDeadline } from './resolver.js'
import { ClientTree, LinkCache } from './sync.js'
import {
  type LinkEntry,
  matchesHash,
  parseEntry,
  parseLink,
  parseRoot,
  type RootEntry,
  type TreeEntry,
  treeConstants,
  verifyRoot,
} from './tree.js'

/** go-ethereum's `dnsdisc.Config` defaults, with units in the names. */
export const dnsDefaults = {
  /** One TXT lookup at most this long. */
  timeoutMs: 5_000,
  /** A tree's root is fetched again this often (new `seq`, new subtrees). */
  recheckIntervalMs: 30 * 60_000,
  /** Tree records cached (least recently used evicted beyond). */
  cacheLimit: 1_000,
  /** TXT lookups per second, cached or not, so a consumer can never spin… */
  rateLimit: 3,
  /** …with bursts of this many. */
  rateBurst: 10,
  /** Hashes one subtree walk may visit: a bound on a tree's size (and on a hostile one). */
  maxTreeEntries: 20_000,
  /** TXT records per name considered. */
  maxRecordsPerName: 16,
} as const

export interface DnsClientOptions {
  /** TXT lookups (default: node:dns, the system's servers). */
  resolver?: TxtResolver
  clock?: Clock
  logger?: Logger
  timeoutMs?: number
  recheckIntervalMs?: number
  cacheLimit?: number
  /** Lookups per second; `Infinity` for none (tests). */
  rateLimit?: number
  maxTreeEntries?: number
  /** Random source for leaf and tree picks (default Math.random). */
  random?: () => number
}

/**
 * EIP-1459's client half, go-ethereum's `dnsdisc.Client` without the walk: fetches and checks
 * roots (signature by the link's key) and tree records (hash = name, type, size), caches
 * records (bounded LRU), rate-limits lookups and bounds each by a timeout. Holds no timers
 * between calls; the walk lives in `sync.ts`, the node iterator in `iterator.ts`.
 */
export class DnsClient {
  readonly clock: Clock
  readonly log: Logger
  readonly random: () => number
  readonly recheckIntervalMs: number
  readonly maxTreeEntries: number
  readonly #resolver: TxtResolver
  readonly #timeoutMs: number
  readonly #cacheLimit: number
  /** Records by (truncated) hash, least recently used first (Map order). */
  readonly #cache = new Map<string, TreeEntry>()
  readonly #rate: number
  #tokens: number
  #refilledAt: number

  constructor(options: DnsClientOptions = {}) {
    this.clock = options.clock ?? systemClock
    this.log = options.logger ?? noopLogger
    this.random = options.random ?? Math.random
    this.recheckIntervalMs = options.recheckIntervalMs ?? dnsDefaults.recheckIntervalMs
    this.maxTreeEntries = options.maxTreeEntries ?? dnsDefaults.maxTreeEntries
    this.#resolver = options.resolver ?? systemTxtResolver()
    this.#timeoutMs = options.timeoutMs ?? dnsDefaults.timeoutMs
    this.#cacheLimit = options.cacheLimit ?? dnsDefaults.cacheLimit
    this.#rate = options.rateLimit ?? dnsDefaults.rateLimit
    this.#tokens = dnsDefaults.rateBurst
    this.#refilledAt = this.clock.now()
  }

  /** The whole tree at `url` (links listed, not followed); see `ClientTree.syncAll`. */
  syncTree(url: string, options: { signal: AbortSignal }) {
    return new ClientTree(this, new LinkCache(), parseLink(url)).syncAll(options.signal)
  }

  /** Records in the cache now. */
  get cached(): number {
    return this.#cache.size
  }

  /** The root of `link`'s tree, its signature checked (go-ethereum's `resolveRoot`). */
  async resolveRoot(link: LinkEntry, options: { signal: AbortSignal }): Promise<RootEntry> {
    const txts = await this.#lookup(link.domain, options.signal)
    for (const txt of txts) {
      if (!txt.startsWith(treeConstants.rootPrefix)) continue
      const root = (() => {
        try {
          return parseRoot(txt)
        } catch (e) {
          throw new DnsError((e as DnsError).code, (e as Error).message, { domain: link.domain })
        }
      })()
      if (!verifyRoot(root, link)) {
        throw new DnsError('ERR_DNS_BAD_SIGNATURE', 'root signature is not by the tree key', {
          domain: link.domain,
        })
      }
      return root
    }
    throw new DnsError('ERR_DNS_NO_ROOT', 'no enrtree-root:v1 record', { domain: link.domain })
  }

  /**
   * The record named `<hash>.<domain>` (go-ethereum's `resolveEntry`): from the cache, else
   * looked up; its keccak256 must start with the hash. Every call waits its turn of the rate
   * limit, cached or not.
   */
  async resolveEntry(
    domain: string,
    hash: string,
    options: { signal: AbortSignal },
  ): Promise<TreeEntry> {
    await this.#wait(options.signal)
    const key = hash.slice(0, Math.ceil((treeConstants.minHashBytes * 8) / 5))
    const hit = this.#cache.get(key)
    if (hit) {
      this.#cache.delete(key)
      this.#cache.set(key, hit)
      return hit
    }
    const name = `${hash}.${domain}`
    const txts = await this.#lookup(name, options.signal, false)
    for (const txt of txts) {
      // The first record of a known type decides, as in go-ethereum's doResolveEntry: a wrong
      // hash is reported before a malformed body.
      let e: TreeEntry | undefined
      let error: unknown
      try {
        e = parseEntry(txt)
        if (!e) continue // another kind of TXT record
      } catch (cause) {
        error = cause
      }
      if (!matchesHash(txt, hash)) {
        throw new DnsError('ERR_DNS_HASH_MISMATCH', 'record does not hash to its name', {
          domain: name,
        })
      }
      if (!e) {
        const cause = error as DnsError
        throw new DnsError(cause.code ?? 'ERR_DNS_BAD_ENTRY', cause.message, {
          cause,
          domain: name,
        })
      }
      this.#cache.set(key, e)
      if (this.#cache.size > this.#cacheLimit) {
        this.#cache.delete(this.#cache.keys().next().value as string)
      }
      return e
    }
    throw new DnsError('ERR_DNS_NO_ENTRY', 'no tree record', { domain: name })
  }

  async #lookup(name: string, signal: AbortSignal, limited = true): Promise<string[]> {
    if (limited) await this.#wait(signal)
    let txts: string[]
    try {
      txts = await withDeadline(this.clock, this.#timeoutMs, signal, `TXT lookup of ${name}`, (s) =>
        this.#resolver(name, { signal: s }),
      )
    } catch (e) {
      if (signal.aborted || (e as Error).name === 'TimeoutError') throw e
      throw new DnsError('ERR_DNS_LOOKUP', `TXT lookup failed: ${(e as Error).message}`, {
        cause: e,
        domain: name,
      })
    }
    for (const t of txts) {
      if (t.length > treeConstants.maxRecordLength) {
        throw new DnsError(
          'ERR_DNS_RECORD_TOO_LARGE',
          `TXT record of ${t.length} characters (at most ${treeConstants.maxRecordLength})`,
          { domain: name },
        )
      }
    }
    return txts.slice(0, dnsDefaults.maxRecordsPerName)
  }

  /** A token bucket on the injected clock (go-ethereum's `rate.Limiter`, 3/s, burst 10). */
  async #wait(signal: AbortSignal): Promise<void> {
    if (this.#rate === Number.POSITIVE_INFINITY) return
    for (;;) {
      const now = this.clock.now()
      const refill = ((now - this.#refilledAt) / 1000) * this.#rate
      this.#tokens = Math.min(dnsDefaults.rateBurst, this.#tokens + refill)
      this.#refilledAt = now
      if (this.#tokens >= 1) {
        this.#tokens -= 1
        return
      }
      await sleep(this.clock, Math.ceil(((1 - this.#tokens) / this.#rate) * 1000), signal)
    }
  }
}
