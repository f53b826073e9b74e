import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { splitList, splitStream, toHex } from '@x/core'
import { headerHash } from '@x/eth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { App } from '../harness.js'
import {
  type CaseResult,
  ethtestData,
  gethBinDir,
  hasGo,
  installTimeoutMs,
  parseTap,
  requireGeth,
  runTool,
  skipReason,
} from './tools.js'

// go-ethereum's official eth protocol suite (`devp2p rlpx eth-test`, cmd/devp2p/internal/ethtest)
// against a node-app started on the suite's own chain: its genesis.json (`--genesis`) and its
// 600-block chain.rlp (`--import`), both read from the Go module cache at test time.

/**
 * The cases that cannot pass against node-app, each with why; the test asserts that exactly
 * these fail, so a case that starts passing (or one that breaks) is noticed. node-app has no
 * engine API: the suite is pointed at a local socket that closes every connection, so each case
 * that first sends `engine_forkchoiceUpdated` fails at that call.
 */
export const expectedFailures: Record<string, string> = {
  GetReceipts:
    'receipts need transaction execution: the imported chain has bodies, not receipts, so ' +
    'blocks with transactions are skipped in the reply (as go-ethereum does for missing receipts)',
  GetLargeReceipts:
    "receipts need transaction execution: over eth/70 the case reassembles block 14's receipts " +
    '(over 10 MiB, EIP-7975 partial replies) and checks their root; we have none to serve',
  LargeTxRequest: 'engine API (forkchoiceUpdated before sending transactions)',
  Transaction: 'engine API (forkchoiceUpdated before sending a transaction)',
  NewPooledTxs: 'engine API (forkchoiceUpdated before announcing transactions)',
  InvalidTxs:
    'engine API, and execution: telling a used nonce, a balance too low or too little gas ' +
    'needs the head state',
  BlobViolations:
    'engine API, and checking delivered transactions against their announced type and size',
  TestBlobTxWithoutSidecar: 'engine API, and blob transaction sidecar validation (EIP-4844)',
  TestBlobTxWithMismatchedSidecar:
    'engine API, and blob transaction sidecar validation (commitments against versioned hashes)',
  BlobTxAvailabilityFailure:
    'engine API (forkchoiceUpdated with a custody set first); eth/72 is negotiated, so the ' +
    'suite no longer skips it',
  GetCells: 'engine API (forkchoiceUpdated with a custody set first), and cells need KZG',
  BlobTxWithInvalidCells:
    'engine API (forkchoiceUpdated with a custody set first), and telling invalid cells needs KZG',
}

/**
 * Cases the suite itself skips (it logs so and reports ok) because of the version we negotiate:
 * none, now that we offer eth/72 as go-ethereum does.
 */
export const expectedSuiteSkips: Record<string, string> = {}

const gethVersion = 'v1.17.10'
/** The whole suite takes about 6 s here; its slowest case waits 2 s for a reply. */
const suiteTimeoutMs = 120_000
const skipped = (c: CaseResult) => c.ok && /skipping: node negotiated eth\/\d+/.test(c.output)

const run = hasGo || requireGeth
if (!run) process.stdout.write(`geth eth suite ${skipReason}\n`)

if (run) {
  describe('devp2p rlpx eth-test against node-app on the suite chain', () => {
    let devp2p = ''
    let dir = ''
    let app: App | undefined
    let engine: Server | undefined
    let engineUrl = ''
    let enode = ''
    const data = ethtestData(gethVersion)

    it(
      'installs devp2p (scripts/geth.mjs)',
      async () => {
        devp2p = join(await gethBinDir(), 'devp2p')
      },
      installTimeoutMs,
    )

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'node-app-ethtest-'))
      // Loopback only, no discovery, no dialing: the suite dials us.
      app = new App([
        ...['--datadir', join(dir, 'n'), '--port', '0', '--extip', '127.0.0.1'],
        ...['--netrestrict', '127.0.0.0/8', '--nodiscover', '--nodial'],
        ...['--genesis', join(data, 'genesis.json'), '--import', join(data, 'chain.rlp')],
      ])
      enode = String((await app.waitFor('node started')).enode)
      // Stands for the engine API node-app does not have: every connection is closed at once.
      engine = createServer((socket) => socket.destroy())
      await new Promise<void>((resolve) => engine!.listen(0, '127.0.0.1', resolve))
      const address = engine.address()
      if (address === null || typeof address === 'string') throw new Error('no engine port')
      engineUrl = `http://127.0.0.1:${address.port}`
    }, 60_000)

    afterAll(async () => {
      await app?.stop('SIGKILL')
      await new Promise((resolve) => (engine ? engine.close(resolve) : resolve(undefined)))
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it('node-app loads the suite genesis and imports its chain', async () => {
      const genesis = await app!.waitFor('genesis loaded')
      expect(genesis.chainId).toBe('3503995874084926')
      const imported = await app!.waitFor('chain imported')
      expect(imported).toMatchObject({ blocks: 600, head: 600 })
    })

    it("our genesis hash is geth's: geth init of the same file, block 0 by geth export", async () => {
      const geth = join(await gethBinDir(), 'geth')
      const datadir = join(dir, 'geth')
      const init = await runTool(
        geth,
        ['init', '--datadir', datadir, join(data, 'genesis.json')],
        60_000,
      )
      expect(init.code, init.stderr).toBe(0)
      const file = join(dir, 'genesis.rlp')
      const exp = await runTool(geth, ['--datadir', datadir, 'export', file, '0', '0'], 60_000)
      expect(exp.code, exp.stderr).toBe(0)
      const [header] = splitList(splitStream(await readFile(file), 'export')[0]!, 'block')
      const ours = await app!.waitFor('genesis loaded')
      expect(ours.hash).toBe(`0x${toHex(headerHash(header!))}`)
      // The first imported block names it as its parent too.
      expect(ours.hash).toBe('0x1518c33dab6ed4dbb2d0c48239ac2f00acc0e28dc43660bb745a0f127552024c')
    })

    it(
      'every case needing no execution and no engine API passes; exactly the listed ones fail',
      async () => {
        expect(devp2p, 'devp2p is not installed').not.toBe('')
        const r = await runTool(
          devp2p,
          [
            ...['rlpx', 'eth-test', '--tap', '--chain', data, '--node', enode],
            ...['--engineapi', engineUrl, '--jwtsecret', `0x${'00'.repeat(32)}`],
          ],
          suiteTimeoutMs,
        )
        const { planned, cases } = parseTap(r.stdout)
        expect(planned, r.stderr).toBeGreaterThan(0)
        expect(cases).toHaveLength(planned)
        const failed = cases.filter((c) => !c.ok)
        const unexpected = failed
          .filter((c) => !(c.name in expectedFailures))
          .map((c) => `${c.name}: ${c.output.trim()}`)
        expect(unexpected, 'cases that should pass').toEqual([])
        expect(failed.map((c) => c.name).sort()).toEqual(Object.keys(expectedFailures).sort())
        expect(
          cases
            .filter(skipped)
            .map((c) => c.name)
            .sort(),
        ).toEqual(Object.keys(expectedSuiteSkips).sort())
        const passed = cases.filter((c) => c.ok && !skipped(c)).length
        process.stdout.write(
          `devp2p rlpx eth-test cases: ${passed} ok, ${failed.length} not ok as listed, ` +
            `${cases.filter(skipped).length} skipped by the suite (of ${planned})\n`,
        )
      },
      suiteTimeoutMs,
    )
  })
} else {
  describe.skip(`devp2p rlpx eth-test against node-app (${skipReason})`, () => {
    it('needs Go to build devp2p', () => {})
  })
}
