import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromHex, toHex } from '@x/core'
import { parseEnode } from '@x/discover'
import { chainFromGenesis, EthHandler, type EthPeer, headerHash, memoryBackend } from '@x/eth'
import { rlpx, Server, tcpNetwork } from '@x/p2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { App } from '../harness.js'
import { Geth } from './geth.js'
import {
  ethtestData,
  gethBinDir,
  hasGo,
  installTimeoutMs,
  requireGeth,
  skipReason,
} from './tools.js'

// Our node follows the headers of a geth that has a chain, then serves them back. geth makes no
// blocks without a consensus client (and `--dev` turns p2p off), so it gets a real chain by
// `geth import` of the eth-test suite's 600 blocks (read from the Go module cache). Our node
// starts at the suite's genesis without `--import`, dials geth (its one static node) and, with
// `--follow`, fetches geth's headers and bodies up to the head geth's eth/72 Status (eth/69 shape) names. A
// separate client — our own p2p and eth packages as a library — then asks our node for them.

const gethVersion = 'v1.17.10'
const data = ethtestData(gethVersion)
/** The suite chain's head (chain.rlp holds blocks 1–600). */
const headNumber = 600

interface RpcBlock {
  hash: string
  number: string
}

const run = hasGo || requireGeth
if (!run) process.stdout.write(`geth headers test ${skipReason}\n`)

if (run) {
  describe('node-app follows the headers of a geth with a chain and serves them back', () => {
    let dir = ''
    let app: App | undefined
    let geth: Geth | undefined
    let client: { server: Server; handler: EthHandler } | undefined
    /** geth's block hashes 0…head, by number, without 0x. */
    let gethHashes: string[] = []

    beforeAll(async () => {
      const bin = join(await gethBinDir(), 'geth')
      dir = await mkdtemp(join(tmpdir(), 'node-app-geth-headers-'))
      await mkdir(join(dir, 'geth'))
      geth = await Geth.start({
        bin,
        datadir: join(dir, 'geth'),
        genesis: JSON.parse(await readFile(join(data, 'genesis.json'), 'utf8')),
        networkId: 3503995874084926,
        bootnodes: [],
        noDiscovery: true,
        importFile: join(data, 'chain.rlp'),
      })
      const gethEnode = await geth.enode()
      const staticFile = join(dir, 'static-nodes.txt')
      await writeFile(staticFile, `${gethEnode}\n`)
      app = new App([
        ...['--datadir', join(dir, 'node-app'), '--port', '0', '--extip', '127.0.0.1'],
        ...['--netrestrict', '127.0.0.0/8', '--nodiscover', '--static', staticFile],
        ...['--genesis', join(data, 'genesis.json'), '--follow', '--loglevel', 'debug'],
      ])
      await app.waitFor('node started')
    }, installTimeoutMs + 90_000)

    afterAll(async () => {
      if (client) {
        client.handler.close()
        await client.server.stop()
      }
      await geth?.stop()
      await app?.stop('SIGKILL')
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it(`geth imported the suite chain: head ${headNumber}`, async () => {
      const batch = Array.from({ length: headNumber + 1 }, (_, n) => ({
        jsonrpc: '2.0',
        id: n,
        method: 'eth_getBlockByNumber',
        params: [`0x${n.toString(16)}`, false],
      }))
      const res = await fetch(await geth!.rpcUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      })
      const blocks = ((await res.json()) as { id: number; result: RpcBlock }[])
        .sort((x, y) => x.id - y.id)
        .map((r) => r.result)
      expect(blocks.map((b) => Number(b.number))).toEqual(batch.map((_, n) => n))
      gethHashes = blocks.map((b) => b.hash.slice(2))
      const ours = await app!.waitFor('genesis loaded')
      expect(ours.hash).toBe(`0x${gethHashes[0]}`)
    })

    it("we dial geth, learn its head from its eth/72 Status and follow it: our head is geth's", async () => {
      const registered = await app!.waitFor('eth peer registered')
      expect(registered).toMatchObject({ eth: 72, number: headNumber })
      expect(registered.head).toBe(`0x${gethHashes[headNumber]}`)
      const caught = await app!.waitFor('caught up with peer', (l) => l.head === headNumber)
      // From the eth/72 handshake to the last import, by our node's own log times.
      const ms = Date.parse(String(caught.t)) - Date.parse(String(registered.t))
      expect(caught.target).toBe(headNumber)
      const head = await geth!.rpc<RpcBlock>('eth_getBlockByNumber', ['latest', false])
      expect(Number(head.number)).toBe(headNumber)
      const rounds = app!.lines.filter((l) => l.msg === 'caught up with peer').length
      process.stdout.write(
        `followed geth: ${headNumber} headers and bodies in ${rounds} rounds, ` +
          `${ms} ms after the eth/72 handshake\n`,
      )
    }, 60_000)

    it("a separate client's GetBlockHeaders to our node returns geth's headers", async () => {
      const chain = await chainFromGenesis(
        await readFile(join(data, 'genesis.json'), 'utf8'),
        'genesis.json',
      )
      const handler = new EthHandler({ backend: memoryBackend(chain), chain, versions: [69] })
      const ours = parseEnode(String((await app!.waitFor('node started')).enode))
      const server = new Server({
        privateKey: randomBytes(32),
        name: 'headers-client',
        listenAddress: { ip: '127.0.0.1', port: 0 },
        noDiscovery: true,
        staticNodes: [ours],
        protocols: handler.protocols,
        network: tcpNetwork(rlpx),
      })
      client = { server, handler }
      const peer = new Promise<EthPeer>((resolve) =>
        handler.addEventListener('peer:registered', (e) => resolve(e.detail.peer), {
          once: true,
        }),
      )
      await server.start()
      const p = await peer
      // Our Status names the head we followed to.
      expect(p.head).toEqual({ hash: fromHex(gethHashes[headNumber]!), number: headNumber })
      const forward = await p.requestHeaders({ origin: 0, amount: 1024, skip: 0, reverse: false })
      expect(forward.map((h) => toHex(headerHash(h)))).toEqual(gethHashes)
      const back = await p.requestHeaders({
        origin: fromHex(gethHashes[headNumber]!),
        amount: 10,
        skip: 59,
        reverse: true,
      })
      expect(back.map((h) => toHex(headerHash(h)))).toEqual(
        Array.from({ length: 10 }, (_, i) => gethHashes[headNumber - 60 * i]),
      )
    })
  })

  /** Every fork up to Cancun at genesis, post-merge from block 0: geth makes blocks on it. */
  const cancun = {
    config: {
      chainId: 4244,
      ...Object.fromEntries(
        ['homestead', 'eip150', 'eip155', 'eip158', 'byzantium', 'constantinople']
          .concat(['petersburg', 'istanbul', 'berlin', 'london', 'mergeNetsplit'])
          .map((f) => [`${f}Block`, 0]),
      ),
      terminalTotalDifficulty: 0,
      shanghaiTime: 0,
      cancunTime: 0,
      blobSchedule: { cancun: { target: 3, max: 6, baseFeeUpdateFraction: 3338477 } },
    },
    nonce: '0x0',
    timestamp: '0x6553f100',
    extraData: '0x',
    gasLimit: '0x1c9c380',
    difficulty: '0x0',
    mixHash: `0x${'00'.repeat(32)}`,
    coinbase: `0x${'00'.repeat(20)}`,
    alloc: {},
  }
  /**
   * go-ethereum sends eth/69 peers a BlockRangeUpdate only when its head moved 32 blocks since
   * the last one (eth/handler.go `shouldSend`): a follower learns of new heads that often.
   */
  const rangeUpdateEvery = 32

  describe('node-app follows a geth that makes blocks (the test as its consensus client)', () => {
    let dir = ''
    let app: App | undefined
    let geth: Geth | undefined

    beforeAll(async () => {
      const bin = join(await gethBinDir(), 'geth')
      dir = await mkdtemp(join(tmpdir(), 'node-app-geth-blocks-'))
      const genesisFile = join(dir, 'genesis.json')
      await writeFile(genesisFile, JSON.stringify(cancun))
      await mkdir(join(dir, 'geth'))
      geth = await Geth.start({
        bin,
        datadir: join(dir, 'geth'),
        genesis: cancun,
        networkId: cancun.config.chainId,
        bootnodes: [],
        noDiscovery: true,
      })
      app = new App([
        ...['--datadir', join(dir, 'node-app'), '--port', '0', '--extip', '127.0.0.1'],
        ...['--netrestrict', '127.0.0.0/8', '--nodiscover', '--genesis', genesisFile],
        ...['--loglevel', 'debug'],
      ])
      const ours = String((await app.waitFor('node started')).enode)
      await geth.rpc('admin_addPeer', [ours])
      await app.waitFor('eth peer registered')
    }, installTimeoutMs + 90_000)

    afterAll(async () => {
      await geth?.stop()
      await app?.stop('SIGKILL')
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it(`geth announces every ${rangeUpdateEvery} blocks (BlockRangeUpdate); we follow each time`, async () => {
      const hashes: string[] = []
      let madeAt = 0
      for (let i = 1; i <= rangeUpdateEvery * 2 + 5; i++) {
        hashes[i] = await geth!.makeBlock()
        if (i === 2 * rangeUpdateEvery) madeAt = Date.now()
      }
      const caught = await app!.waitFor(
        'caught up with peer',
        (l) => l.head === 2 * rangeUpdateEvery,
      )
      // From geth adopting block 64 to our importing it, by wall clock and our log time.
      const ms = Date.parse(String(caught.t)) - madeAt
      expect(caught.target).toBe(2 * rangeUpdateEvery)
      // What geth announced: its head at blocks 32 and 64, never the 5 blocks after.
      const heads = app!.lines.filter((l) => l.msg === 'peer head').map((l) => l.number)
      expect(heads).toEqual([rangeUpdateEvery, 2 * rangeUpdateEvery])
      // Our block 64 is geth's.
      const at = await geth!.rpc<RpcBlock>('eth_getBlockByNumber', [
        `0x${(2 * rangeUpdateEvery).toString(16)}`,
        false,
      ])
      expect(at.hash).toBe(hashes[2 * rangeUpdateEvery])
      expect(caught.head).toBe(2 * rangeUpdateEvery)
      process.stdout.write(
        `geth made ${hashes.length - 1} blocks; we followed to ${caught.head} ` +
          `(block 64 imported ${ms} ms after geth made it)\n`,
      )
    }, 60_000)
  })
} else {
  describe.skip(`node-app follows a live geth's headers (${skipReason})`, () => {
    it('needs Go to build geth', () => {})
  })
}
