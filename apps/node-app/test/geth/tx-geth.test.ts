import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes, privateToAddress } from '@ethereumjs/util'
import { parseEnode } from '@x/discover'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { App, type AppLine } from '../harness.js'
import { Geth } from './geth.js'
import { gethBinDir, hasGo, installTimeoutMs, requireGeth, skipReason } from './tools.js'

// Transactions both ways between node-app and live geths, on one genesis with a funded key.
// node-app has no RPC to submit a transaction, so it sits between two geths: A → node-app → B,
// each geth with discovery off and our node as its only peer, so A and B never meet and a
// transaction sent to A can only reach B through us. geth accepts peers' transactions only once
// it counts as synced (a consensus client's forkchoice update), so the test gives each geth one.

/** A chain with every fork up to Prague at genesis (post-merge from block 0) and one rich key. */
const chainId = 4243
/** The funded key (a test key: its funds exist only on this genesis). */
const key = hexToBytes(`0x${'4c'.repeat(32)}`)
const sender = bytesToHex(privateToAddress(key))
const genesis = {
  config: {
    chainId,
    homesteadBlock: 0,
    eip150Block: 0,
    eip155Block: 0,
    eip158Block: 0,
    byzantiumBlock: 0,
    constantinopleBlock: 0,
    petersburgBlock: 0,
    istanbulBlock: 0,
    berlinBlock: 0,
    londonBlock: 0,
    mergeNetsplitBlock: 0,
    terminalTotalDifficulty: 0,
    shanghaiTime: 0,
    cancunTime: 0,
    pragueTime: 0,
    blobSchedule: {
      cancun: { target: 3, max: 6, baseFeeUpdateFraction: 3338477 },
      prague: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 },
    },
  },
  nonce: '0x0',
  timestamp: '0x6553f100',
  extraData: `0x${Buffer.from('x-devp2p tx test').toString('hex')}`,
  gasLimit: '0x1c9c380',
  difficulty: '0x0',
  mixHash: `0x${'00'.repeat(32)}`,
  coinbase: `0x${'00'.repeat(20)}`,
  alloc: { [sender]: { balance: `0x${(10n ** 21n).toString(16)}` } },
}

/** go-ethereum's txMaxBroadcastSize: a larger transaction is only ever announced. */
const txMaxBroadcastSize = 4096

const common = createCustomCommon({ chainId }, Mainnet, { hardfork: Hardfork.Prague })

/** A signed EIP-1559 transfer from the funded key; `data` bytes of calldata make it large. */
function signedTx(nonce: number, data = 0): { raw: string; hash: string; size: number } {
  const tx = createFeeMarket1559Tx(
    {
      nonce,
      to: `0x${'ee'.repeat(20)}`,
      value: 1n,
      gasLimit: 21_000 + 40 * data,
      maxFeePerGas: 10_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
      data: new Uint8Array(data).fill(0xab),
    },
    { common },
  ).sign(key)
  const raw = tx.serialize()
  return { raw: bytesToHex(raw), hash: bytesToHex(tx.hash()), size: raw.length }
}

/** The transaction hashes in geth's txpool_content (pending and queued). */
async function poolHashes(geth: Geth): Promise<string[]> {
  type Txs = Record<string, Record<string, { hash: string }>>
  const c = await geth.rpc<{ pending: Txs; queued: Txs }>('txpool_content')
  return [c.pending, c.queued].flatMap((byAddr) =>
    Object.values(byAddr).flatMap((byNonce) => Object.values(byNonce).map((t) => t.hash)),
  )
}

/** Polls `check` every 20 ms until it is true; rejects after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const run = hasGo || requireGeth
if (!run) process.stdout.write(`geth transaction test ${skipReason}\n`)

if (run) {
  describe('transactions both ways: geth A → node-app → geth B', () => {
    let bin = ''
    let dir = ''
    let app: App | undefined
    let a: Geth | undefined
    let b: Geth | undefined
    /** Public keys (hex, enode URL form) of geth A, geth B and our node. */
    const ids = { a: '', b: '', us: '' }

    beforeAll(async () => {
      bin = join(await gethBinDir(), 'geth')
      dir = await mkdtemp(join(tmpdir(), 'node-app-geth-tx-'))
      const genesisFile = join(dir, 'genesis.json')
      await writeFile(genesisFile, JSON.stringify(genesis))
      app = new App([
        ...['--datadir', join(dir, 'node-app'), '--port', '0', '--extip', '127.0.0.1'],
        ...['--netrestrict', '127.0.0.0/8', '--nodiscover', '--genesis', genesisFile],
        ...['--loglevel', 'debug'],
      ])
      const ours = String((await app.waitFor('node started')).enode)
      ids.us = parseEnode(ours).idHex
      const start = async (name: 'a' | 'b') => {
        await mkdir(join(dir, name))
        const geth = await Geth.start({
          bin,
          datadir: join(dir, name),
          genesis,
          networkId: chainId,
          bootnodes: [],
          noDiscovery: true,
          verbosity: 3,
          // Trace of the eth protocol: which transactions it sends, announces and fetches.
          vmodule: 'eth/protocols/eth/*=5',
        })
        ids[name] = parseEnode(await geth.enode()).idHex
        // Our node is each geth's one static peer: it dials us.
        await geth.rpc('admin_addPeer', [ours])
        return geth
      }
      a = await start('a')
      b = await start('b')
      for (const id of [ids.a, ids.b]) {
        await app.waitFor('eth peer registered', (l) => id.startsWith(String(l.peer)))
      }
      await a.markSynced()
      await b.markSynced()
    }, installTimeoutMs + 90_000)

    afterAll(async () => {
      await a?.stop()
      await b?.stop()
      await app?.stop('SIGKILL')
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it("our genesis hash of the alloc is geth's, and the geths never meet", async () => {
      const ours = await app!.waitFor('genesis loaded')
      for (const geth of [a!, b!]) {
        const info = await geth.rpc<{ protocols: { eth: { genesis: string } } }>('admin_nodeInfo')
        expect(info.protocols.eth.genesis).toBe(ours.hash)
        const peers = await geth.rpc<{ enode: string }[]>('admin_peers')
        expect(peers.map((p) => parseEnode(p.enode).idHex)).toEqual([ids.us])
      }
    })

    /** Sends `tx` to geth A; resolves with our node's pool line and the times of both hops. */
    async function relay(tx: ReturnType<typeof signedTx>): Promise<{ pooled: AppLine }> {
      const t0 = performance.now()
      expect(await a!.rpc<string>('eth_sendRawTransaction', [tx.raw])).toBe(tx.hash)
      const pooled = await app!.waitFor('transactions pooled', (l) =>
        (l.hashes as string[]).includes(tx.hash),
      )
      const t1 = performance.now()
      expect(ids.a.startsWith(String(pooled.peer))).toBe(true)
      await until(`${tx.hash} in geth B's txpool_content`, async () =>
        (await poolHashes(b!)).includes(tx.hash),
      )
      const t2 = performance.now()
      process.stdout.write(
        `tx of ${tx.size} bytes: geth A → node-app ${Math.round(t1 - t0)} ms, ` +
          `node-app → geth B ${Math.round(t2 - t1)} ms\n`,
      )
      return { pooled }
    }

    it('a transfer sent to geth A is broadcast to us in full; we broadcast it to geth B', async () => {
      const tx = signedTx(0)
      expect(tx.size).toBeLessThanOrEqual(txMaxBroadcastSize)
      const { pooled } = await relay(tx)
      expect(pooled.fetched).toBe(false)
    })

    it(`one over ${txMaxBroadcastSize} bytes is only announced: we fetch it from A, B fetches it from us`, async () => {
      const tx = signedTx(1, 5000)
      expect(tx.size).toBeGreaterThan(txMaxBroadcastSize)
      const { pooled } = await relay(tx)
      // Delivered as the answer to our GetPooledTransactions, after geth A's announcement.
      expect(pooled.fetched).toBe(true)
      expect(a!.lines.some((l) => /Sent transaction announcements/.test(l))).toBe(true)
      // geth B asked us for it: it did not get it in full. (geth logs a peer by its node id,
      // the keccak256 of the public key.)
      const peers = await b!.rpc<{ id: string; enode: string }[]>('admin_peers')
      const us = peers.find((p) => parseEnode(p.enode).idHex === ids.us)!.id.slice(0, 16)
      expect(
        b!.lines.some((l) => /Fetching batch of transactions/.test(l) && l.includes(us)),
        b!.lines.filter((l) => /transaction/i.test(l)).join('\n'),
      ).toBe(true)
    })
  })
} else {
  describe.skip(`transactions both ways with live geths (${skipReason})`, () => {
    it('needs Go to build geth', () => {})
  })
}
