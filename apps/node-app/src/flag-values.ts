import { resolve } from 'node:path'
import { isLogLevel, isValidPort, Netlist, normalizeIp, parseDuration } from '@x/core'
import { Enr, parseEnodeTarget, parseEnrtreeUrl, parseNodeKey } from '@x/discover'
import { type NatSpec, parseNat } from '@x/p2p'

/** A command-line flag that cannot work; the message is one line naming the flag. */
export class ConfigError extends Error {
  override name = 'ConfigError'
  readonly code = 'ERR_INVALID_FLAG'
}

export const show = (v: unknown) => JSON.stringify(v)

export function port(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (!isValidPort(n))
    throw new ConfigError(`${flag} must be a port number 0-65535, got ${show(value)}`)
  return n
}

export function uint(value: string | undefined, flag: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min) {
    throw new ConfigError(`${flag} must be an integer ≥ ${min}, got ${show(value)}`)
  }
  return n
}

export function ip(value: string, flag: string): string {
  try {
    return normalizeIp(value)
  } catch {
    throw new ConfigError(`${flag} must be an IP address, got ${show(value)}`)
  }
}

export function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

/**
 * An `enode://` URL or an `enr:` record, checked now: a record is decoded and its signature
 * verified (EIP-778), and it must name an IP and UDP port, so a bad one fails at the flag, not
 * half-way through start-up.
 */
export function enode(url: string, flag: string): string {
  if (url.startsWith('enr:')) {
    let record: Enr
    try {
      record = Enr.fromText(url)
    } catch (err) {
      throw new ConfigError(`${flag}: invalid node record (${(err as Error).message}): ${url}`)
    }
    if (!record.toNode()) {
      throw new ConfigError(`${flag}: node record has no IP and UDP port: ${url}`)
    }
    return url
  }
  try {
    parseEnodeTarget(url)
  } catch (err) {
    // Name the bad value once: the parser's message may already quote it.
    const message = (err as Error).message
    throw new ConfigError(`${flag}: ${message.includes(url) ? message : `${message}: ${url}`}`)
  }
  return url
}

export function enrtree(url: string): string {
  try {
    parseEnrtreeUrl(url)
  } catch (err) {
    throw new ConfigError(`--discovery.dns: ${(err as Error).message}: ${url}`)
  }
  return url
}

/** A duration like "10s" (1 ms to 24 h), checked now so a typo fails at startup. */
export function duration(value: string, flag: string): string {
  durationMs(value, flag)
  return value
}

export function durationMs(value: string, flag: string): number {
  try {
    return parseDuration(value, flag)
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
}

/**
 * One `--netrestrict` entry, checked by @x/core's `Netlist` (go-ethereum's `netutil.Netlist`)
 * and given back with its address normalised (`::ffff:10.0.0.0/8` is not IPv4: the prefix
 * length counts the normalised address).
 */
export function cidr(value: string): string {
  const slash = value.indexOf('/')
  const addr = value.slice(0, slash)
  const bits = value.slice(slash + 1)
  if (slash <= 0 || !/^[0-9]{1,3}$/.test(bits)) {
    throw new ConfigError(`--netrestrict: ${show(value)} is not a CIDR like 10.0.0.0/8`)
  }
  const normal = `${ip(addr, '--netrestrict')}/${Number(bits)}`
  try {
    new Netlist([normal])
  } catch {
    // The address parsed above, so only the prefix length can be wrong.
    throw new ConfigError(`--netrestrict: prefix length out of range in ${show(value)}`)
  }
  return normal
}

export function natSpec(nat: string | undefined, extip: string | undefined): NatSpec | undefined {
  if (nat !== undefined && extip !== undefined) {
    throw new ConfigError('--nat and --extip are exclusive (--extip <ip> is --nat extip:<ip>)')
  }
  if (extip !== undefined) return { kind: 'extip', ip: ip(extip, '--extip') }
  if (nat === undefined) return undefined
  try {
    return parseNat(nat)
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
}

/** go-ethereum's `setNodeKey`: `--nodekey` and `--nodekeyhex` are exclusive. */
export function nodekey(
  file: string | undefined,
  hex: string | undefined,
  cwd: string,
): { file: string } | { key: Uint8Array } | undefined {
  if (file !== undefined && hex !== undefined) {
    throw new ConfigError('--nodekey and --nodekeyhex are mutually exclusive')
  }
  if (file !== undefined) return { file: resolve(cwd, file) }
  if (hex === undefined) return undefined
  try {
    return { key: parseNodeKey(hex) }
  } catch (err) {
    throw new ConfigError(`--nodekeyhex: ${(err as Error).message}`)
  }
}

/** A name for the client id: printable, no '/' (it separates the id's fields), ≤ 64 characters. */
export function identity(name: string): string {
  if (!/^[\x21-\x2e\x30-\x7e]{1,64}$/.test(name)) {
    throw new ConfigError(
      `--identity must be 1-64 printable characters without spaces or '/', got ${show(name)}`,
    )
  }
  return name
}

const levelVerbosity = { error: 1, warn: 2, info: 3, debug: 4 } as const

/** `--verbosity` 0-5, else `--loglevel` (kept as an alias), else 3 (info). */
export function logVerbosity(verbosity: string | undefined, loglevel: string | undefined): number {
  if (verbosity !== undefined) {
    if (loglevel !== undefined)
      throw new ConfigError('--verbosity and --loglevel exclude each other')
    if (!/^[0-5]$/.test(verbosity)) {
      throw new ConfigError(`--verbosity must be 0-5, got ${show(verbosity)}`)
    }
    return Number(verbosity)
  }
  if (loglevel === undefined) return 3
  if (!isLogLevel(loglevel)) {
    throw new ConfigError(`--loglevel must be debug, info, warn or error, got ${show(loglevel)}`)
  }
  return levelVerbosity[loglevel]
}

/** Parses command-line flags into a config; throws ConfigError with a readable message. */
/** Flag values as `parseArgs` gives them (and `--config` files are read into). */
