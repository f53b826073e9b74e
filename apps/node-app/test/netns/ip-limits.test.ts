import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Netns, sweepStale } from './netns.js'
import { netnsDescribe } from './suite.js'

// Issue 16: the table's IP limits (go-ethereum's tableIPLimit, bucketIPLimit: at most 2 nodes
// of one /24 per bucket and 10 in the whole table) with real sockets on namespace addresses:
// 30 nodes on one /24 (24 of them keyed into six buckets, 4 each, so both limits bind) and 30
// spread over 30 /24s bond with one observer. The observer and
// the 60 others are discovery instances in one process, each bound to its own address on the
// namespace's loopback (cheap on 2 cores).

const run = promisify(execFile)
const crowd = fileURLToPath(new URL('./crowd.mjs', import.meta.url))
const observer = '10.99.0.1'
const oneNet = Array.from({ length: 30 }, (_, i) => `10.99.1.${i + 1}`)
const spread = Array.from({ length: 30 }, (_, i) => `10.${100 + i}.0.1`)
const slash24 = (ip: string) => ip.split('.').slice(0, 3).join('.')

netnsDescribe('the table IP limits on namespace addresses', () => {
  let netns: Netns
  let ns: string
  beforeAll(() => {
    sweepStale()
    netns = new Netns()
    ns = netns.addSwitch('crowd')
    netns.addAddresses(
      ns,
      'lo',
      [observer, ...oneNet, ...spread].map((ip) => `${ip}/32`),
    )
  })
  afterAll(() => netns?.close())

  it('hold ≤ 2 per /24 per bucket and ≤ 10 per /24 in the table; spread nodes are held only by bucket size', async () => {
    const { stdout } = await run(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        crowd,
        JSON.stringify({ observer, others: [...oneNet, ...spread], spreadBuckets: 6 }),
      ],
      { timeout: 60_000 },
    )
    const { buckets } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      buckets: string[][]
    }
    const inTable = buckets.flat()
    const fromOne = inTable.filter((ip) => slash24(ip) === '10.99.1')
    const fromSpread = inTable.filter((ip) => spread.includes(ip))
    for (const b of buckets) {
      expect(b.filter((ip) => slash24(ip) === '10.99.1').length).toBeLessThanOrEqual(2)
    }
    expect(fromOne.length).toBeLessThanOrEqual(10)
    // Not vacuous: 24 of the 30 were given keys 4 each in 6 buckets (room for 12 of them at 2
    // per bucket), so the table-wide limit is what holds them to 10.
    expect(fromOne.length).toBe(10)
    // The spread ones are limited only by the buckets' size (16).
    expect(fromSpread.length).toBeGreaterThan(20)
    console.info(
      `netns ip limits: of 30 nodes on one /24, ${fromOne.length} in the table ` +
        `(per bucket ${buckets.map((b) => b.filter((ip) => slash24(ip) === '10.99.1').length).join(',')}); ` +
        `of 30 spread, ${fromSpread.length}`,
    )
  }, 90_000)
})
