import { CoreError } from './errors.js'

const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }
const whole = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/
const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/g

/** Longest duration accepted (one day): a longer period or timeout given on a command line is a typo. */
export const maxDuration = 86_400_000

/**
 * Parses a duration like Go's `time.ParseDuration` for the units an operator uses: "500ms",
 * "3s", "10s", "1m", "1m30s", "1.5h". A number is taken as milliseconds. The result must be a
 * positive whole number of milliseconds no longer than {@link maxDuration}; anything else throws
 * `ERR_INVALID_DURATION` naming `what` (the option), so a bad flag fails at construction.
 */
export function parseDuration(value: string | number, what = 'duration'): number {
  let ms: number
  if (typeof value === 'number') {
    ms = value
  } else {
    const text = value.trim()
    if (!whole.test(text)) {
      throw new CoreError(
        'ERR_INVALID_DURATION',
        `${what}: ${JSON.stringify(value)} is not a duration like "500ms", "3s" or "1m"`,
      )
    }
    ms = 0
    for (const [, amount, unit] of text.matchAll(part)) {
      ms += Number(amount) * (unitMs[unit as string] as number)
    }
  }
  if (!Number.isFinite(ms) || ms <= 0 || ms > maxDuration || !Number.isInteger(ms)) {
    throw new CoreError(
      'ERR_INVALID_DURATION',
      `${what}: ${JSON.stringify(value)} must be a whole number of milliseconds in 1 ms..24 h`,
    )
  }
  return ms
}

/** Formats milliseconds the way {@link parseDuration} reads them ("1m30s", "500ms"). */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms}ms`
  let rest = ms
  let out = ''
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size)
    if (n > 0) out += `${n}${unit}`
    rest -= n * size
  }
  return out
}
