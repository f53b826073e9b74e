import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Clock, started, systemClock } from '@x/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  Discovery,
  type DiscoveryOptions,
  generatePrivateKey,
  nodeIdFromPrivateKey,
  openNodeDB,
} from '../../src/index.js'

// A node restarted on the same database directory rejoins without bootnodes, over real UDP.
// Time: real timers, but `now()` can jump forward (the same jump for every node, so packet
// expirations stay consistent); the jump stands in for the 5 minutes a node must live in the
// table before it is copied to the DB.

class JumpClock implements Clock {
  offset = 0
  now(): number {
    return Date.now() + this.offset
  }
  setTimeout(fn: () => void, ms: number) {
    return systemClock.setTimeout(fn, ms)
  }
  clearTimeout(h: ReturnType<Clock['setTimeout']>): void {
    systemClock.clearTimeout(h)
  }
}

/** Conditions are polled until met; generous on a loaded machine, met in ~1 s normally. */
const wait = { timeout: 10_000, interval: 20 }

let dir: string
let clock: JumpClock
const running: Discovery[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'x-restart-'))
  clock = new JumpClock()
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()))
  await rm(dir, { recursive: true, force: true })
})

async function start(options: Partial<DiscoveryOptions> = {}): Promise<Discovery> {
  const d = await started(
    new Discovery({
      privateKey: generatePrivateKey(),
      host: '127.0.0.1',
      port: 0,
      ntp: false,
      clock,
      // Fast loops: revalidate and copy live nodes every 20 ms.
      maintenance: { revalidateIntervalMs: 20, copyNodesIntervalMs: 20 },
      ...options,
    }),
  )
  running.push(d)
  return d
}

describe('Discovery restart with a LevelDB node database', () => {
  // Off for a moment, or for a day: seeds count by last Pong up to 5 days, and opening the DB
  // expires nothing, so both rejoin.
  it.each([
    { off: 'a moment', offMs: 0 },
    { off: 'a day', offMs: 25 * 3600_000 },
  ])(
    'seeds its table from the DB and rejoins without bootnodes after $off',
    async ({ offMs }) => {
      const boot = await start()
      const bootText = boot.udp.enr.toText()
      const others = [
        await start({ bootnodes: [bootText] }),
        await start({ bootnodes: [bootText] }),
      ]

      const key = generatePrivateKey()
      const selfId = nodeIdFromPrivateKey(key)
      const first = await start({
        privateKey: key,
        bootnodes: [bootText],
        db: await openNodeDB({ path: dir, selfId }),
      })
      const peers = [boot, ...others].map((d) => d.self.idHex)
      await vi.waitFor(() => expect(peers.every((p) => first.table.has(p))).toBe(true), wait)
      // Revalidation proves each entry alive…
      await vi.waitFor(() => {
        expect(peers.every((p) => (first.table.entry(p)?.livenessChecks ?? 0) > 0)).toBe(true)
      }, wait)
      // …and once they have been in the table 5 minutes, the copy loop stores them.
      clock.offset += 6 * 60_000
      await vi.waitFor(
        () => expect(peers.every((p) => first.db.node(hexId(p)) !== undefined)).toBe(true),
        wait,
      )
      await first.stop()
      running.splice(running.indexOf(first), 1)
      clock.offset += offMs

      const restartedAt = clock.now()
      const db = await openNodeDB({ path: dir, selfId })
      expect(db.size).toBe(3)
      const second = await start({ privateKey: key, db })
      expect(second.self.idHex).toBe(first.self.idHex)
      // Its first refresh loads the DB seeds into the table and bonds with them by lookup.
      await vi.waitFor(() => {
        for (const p of peers) {
          const n = second.table.get(p)
          expect(n).toBeDefined()
          // A fresh endpoint proof: the stored node answered the restarted one.
          expect(second.db.lastPongReceived(n!.id, n!.ip)).toBeGreaterThanOrEqual(restartedAt)
        }
      }, wait)
      expect(second.stats().bonded).toBeGreaterThanOrEqual(3)
    },
    30_000,
  )
})

function hexId(idHex: string): Uint8Array {
  return Uint8Array.from(idHex.match(/../g)!.map((b) => Number.parseInt(b, 16)))
}
