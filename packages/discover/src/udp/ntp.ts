import { createSocket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import { type Clock, systemClock } from '@x/core'
import { DiscoverError } from '../errors.js'

/** go-ethereum's ntp.go constants: when to check the clock and what counts as drift. */
export const ntpDefaults = {
  server: { host: 'pool.ntp.org', port: 123 },
  /** Consecutive expired packets that trigger a check. */
  failureThreshold: 32,
  /** Minimum time between two checks. */
  cooldownMs: 10 * 60_000,
  /** Drift above this is warned about. */
  warningMs: 10_000,
  timeoutMs: 5_000,
} as const

/** Seconds between the NTP era (1900) and the Unix epoch. */
const NTP_EPOCH_OFFSET = 2_208_988_800

export interface SntpServer {
  host: string
  port: number
}

/** A 48-byte SNTP v3 client request (mode 3). */
export function sntpRequest(): Uint8Array {
  const b = new Uint8Array(48)
  b[0] = (3 << 3) | 3
  return b
}

/** Milliseconds since the epoch of the 64-bit NTP timestamp at `offset`. */
export function readNtpTime(b: Uint8Array, offset: number): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const sec = v.getUint32(offset)
  const frac = v.getUint32(offset + 4)
  return (sec - NTP_EPOCH_OFFSET) * 1000 + (frac * 1000) / 2 ** 32
}

/** Writes `ms` (since the epoch) as a 64-bit NTP timestamp at `offset`. */
export function writeNtpTime(b: Uint8Array, offset: number, ms: number): void {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const sec = Math.floor(ms / 1000)
  v.setUint32(offset, sec + NTP_EPOCH_OFFSET)
  v.setUint32(offset + 4, Math.floor(((ms - sec * 1000) / 1000) * 2 ** 32))
}

/**
 * Asks an SNTP server for the time and returns the local clock's offset in ms (server − local,
 * corrected by half the round trip). Rejects with ERR_SNTP on a bad reply or no reply in time.
 */
export function sntpOffset(
  server: SntpServer,
  options: { clock?: Clock; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const clock = options.clock ?? systemClock
  const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4')
  return new Promise<number>((resolve, reject) => {
    let sent = 0
    let finished = false
    const done = (err: Error | undefined, value = 0) => {
      if (finished) return
      finished = true
      clock.clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      socket.removeAllListeners('message')
      socket.close()
      if (err) reject(err)
      else resolve(value)
    }
    const onAbort = () => done(options.signal?.reason as Error)
    const timer = clock.setTimeout(
      () => done(new DiscoverError('ERR_SNTP', `no SNTP reply from ${server.host}:${server.port}`)),
      options.timeoutMs ?? ntpDefaults.timeoutMs,
    )
    options.signal?.addEventListener('abort', onAbort, { once: true })
    socket.on('error', (e) =>
      done(new DiscoverError('ERR_SNTP', `SNTP: ${e.message}`, { cause: e })),
    )
    socket.on('message', (msg) => {
      const b = new Uint8Array(msg)
      const mode = b[0]! & 7
      if (b.length < 48 || (mode !== 4 && mode !== 5) || b[1] === 0) {
        done(new DiscoverError('ERR_SNTP', 'bad SNTP reply'))
        return
      }
      const received = clock.now()
      const transmit = readNtpTime(b, 40)
      done(undefined, transmit - (sent + received) / 2)
    })
    sent = clock.now()
    socket.send(sntpRequest(), server.port, server.host, (e) => {
      if (e) done(new DiscoverError('ERR_SNTP', `SNTP: ${e.message}`, { cause: e }))
    })
  })
}
