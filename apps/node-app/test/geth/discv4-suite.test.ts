import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { App } from '../harness.js'
import {
  gethBinDir,
  hasGo,
  installTimeoutMs,
  parseTap,
  requireGeth,
  runTool,
  skipReason,
} from './tools.js'

// go-ethereum's official discovery v4 conformance suite (`devp2p discv4 test`,
// cmd/devp2p/internal/v4test) against a running node-app, three runs in a row against the same
// node: testers on 127.0.0.1 and 127.0.0.2 (the Amplification/WrongIP case sends from the second).

/** The suite's 15 cases take about 5 s (each waits up to 300 ms for a reply that must not come). */
const suiteTimeoutMs = 60_000
const runs = 3

const run = hasGo || requireGeth
if (!run) process.stdout.write(`geth discv4 suite ${skipReason}\n`)

if (run) {
  describe('devp2p discv4 test against node-app', () => {
    let devp2p = ''
    it(
      'installs devp2p (scripts/geth.mjs)',
      async () => {
        devp2p = join(await gethBinDir(), 'devp2p')
      },
      installTimeoutMs,
    )

    describe('three runs against one node-app', () => {
      let dir = ''
      let app: App | undefined
      let enode = ''

      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), 'node-app-discv4-'))
        // Loopback only: listen and advertise 127.0.0.1, accept peers from 127.0.0.0/8 alone.
        app = new App([
          '--datadir',
          join(dir, 'n'),
          '--port',
          '0',
          '--extip',
          '127.0.0.1',
          '--netrestrict',
          '127.0.0.0/8',
          '--nodial',
          '--loglevel',
          'debug',
        ])
        enode = String((await app.waitFor('node started')).enode)
      })

      afterAll(async () => {
        await app?.stop('SIGKILL')
        if (dir) await rm(dir, { recursive: true, force: true })
      })

      for (let i = 1; i <= runs; i++) {
        it(
          `run ${i} of ${runs}: every case passes`,
          async () => {
            expect(devp2p, 'devp2p is not installed').not.toBe('')
            const r = await runTool(
              devp2p,
              [
                'discv4',
                'test',
                '-tap',
                '-remote',
                enode,
                '-listen1',
                '127.0.0.1',
                '-listen2',
                '127.0.0.2',
              ],
              suiteTimeoutMs,
            )
            const { planned, cases } = parseTap(r.stdout)
            const failed = cases.filter((c) => !c.ok).map((c) => `${c.name}: ${c.output.trim()}`)
            expect(failed, r.stderr).toEqual([])
            expect(planned).toBeGreaterThan(0)
            expect(cases).toHaveLength(planned)
            expect(r.code).toBe(0)
          },
          suiteTimeoutMs,
        )
      }
    })
  })
} else {
  describe.skip(`devp2p discv4 test against node-app (${skipReason})`, () => {
    it('needs Go to build geth and devp2p', () => {})
  })
}
