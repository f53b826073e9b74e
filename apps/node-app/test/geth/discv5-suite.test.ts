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

// go-ethereum's official discovery v5 suite (`devp2p discv5 test`, cmd/devp2p/internal/v5test)
// against a running node-app with --v5disc (v4 and v5 on one UDP port), twice against the same
// node: testers on 127.0.0.1 and 127.0.0.2 (PingMultiIP and FindnodeWrongIP send from both).

/**
 * The suite's 10 cases take a few seconds, but FindnodeResults waits (up to 60 s) for the node to
 * ping five bystanders before it asks for them.
 */
const suiteTimeoutMs = 120_000
const runs = 2

const run = hasGo || requireGeth
if (!run) process.stdout.write(`geth discv5 suite ${skipReason}\n`)

if (run) {
  describe('devp2p discv5 test against node-app', () => {
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
      let enr = ''
      let enode = ''

      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), 'node-app-discv5-'))
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
          '--v5disc',
          '--loglevel',
          'debug',
        ])
        const started = await app.waitFor('node started')
        enr = String(started.enr)
        enode = String(started.enode)
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
              ['discv5', 'test', '-tap', '-listen1', '127.0.0.1', '-listen2', '127.0.0.2', enr],
              suiteTimeoutMs,
            )
            const { planned, cases } = parseTap(r.stdout)
            process.stdout.write(
              `discv5 suite run ${i}: ${cases.filter((c) => c.ok).length}/${cases.length} passed: ${cases.map((c) => `${c.ok ? 'ok' : 'FAIL'} ${c.name}`).join(', ')}\n`,
            )
            const failed = cases.filter((c) => !c.ok).map((c) => `${c.name}: ${c.output.trim()}`)
            expect(failed, r.stderr).toEqual([])
            expect(planned).toBeGreaterThan(0)
            expect(cases).toHaveLength(planned)
            expect(r.code).toBe(0)
          },
          suiteTimeoutMs,
        )
      }

      it(
        'the discv4 suite passes against the same node and UDP port',
        async () => {
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
          expect(
            cases.filter((c) => !c.ok).map((c) => c.name),
            r.stderr,
          ).toEqual([])
          expect(planned).toBeGreaterThan(0)
          expect(cases).toHaveLength(planned)
        },
        suiteTimeoutMs,
      )
    })
  })
} else {
  describe.skip(`devp2p discv5 test against node-app (${skipReason})`, () => {
    it('needs Go to build geth and devp2p', () => {})
  })
}
