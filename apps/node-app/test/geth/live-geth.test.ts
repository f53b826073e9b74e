import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEnode } from '@x/discover'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { App } from '../harness.js'
import { devnetGenesis, devnetNetworkId, Geth, type GethPeer } from './geth.js'
import { gethBinDir, hasGo, installTimeoutMs, requireGeth, skipReason } from './tools.js'

// A live geth and a node-app on one genesis (our devnet, `geth init`), on loopback. geth has our
// node as its only bootnode; our node has none, so it learns of geth only from geth's discv4
// Ping. Both sides may dial: geth's dial filter (go-ethereum's eth.NewNodeFilter) accepts our
// record's `eth` entry, whose fork id is our devnet's, and we dial geth once our table has it;
// whoever is first makes the one RLPx link.

/**
 * Twice go-ethereum's frameReadTimeout (30 s: it drops a peer it has read nothing from for that
 * long) and four of its pingIntervals (15 s): the link only holds if both sides' p2p Ping/Pong run.
 */
const holdMs = 60_000

const run = hasGo || requireGeth
if (!run) process.stdout.write(`live geth test ${skipReason}\n`)

if (run) {
  describe('a live geth on loopback, on our devnet genesis', () => {
    let geth = ''
    it(
      'installs geth (scripts/geth.mjs)',
      async () => {
        geth = join(await gethBinDir(), 'geth')
      },
      installTimeoutMs,
    )

    describe('geth with node-app as its bootnode', () => {
      let dir = ''
      let app: App | undefined
      let node: Geth | undefined
      let ours = { enode: '', id: '' }
      let us: GethPeer | undefined

      beforeAll(async () => {
        expect(geth, 'geth is not installed').not.toBe('')
        dir = await mkdtemp(join(tmpdir(), 'node-app-geth-'))
        app = new App([
          ...['--datadir', join(dir, 'node-app'), '--port', '0', '--extip', '127.0.0.1'],
          ...['--netrestrict', '127.0.0.0/8', '--network', 'devnet'],
        ])
        const enode = String((await app.waitFor('node started')).enode)
        ours = { enode, id: parseEnode(enode).idHex }
        await mkdir(join(dir, 'geth'))
        node = await Geth.start({
          bin: geth,
          datadir: join(dir, 'geth'),
          genesis: devnetGenesis,
          networkId: devnetNetworkId,
          bootnodes: [enode],
        })
      }, 60_000)

      afterAll(async () => {
        await node?.stop()
        await app?.stop('SIGKILL')
        if (dir) await rm(dir, { recursive: true, force: true })
      })

      it('geth writes our devnet genesis hash', async () => {
        const info = await node!.rpc<{ protocols: { eth: { genesis: string; network: number } } }>(
          'admin_nodeInfo',
        )
        expect(info.protocols.eth).toMatchObject({
          network: devnetNetworkId,
          genesis: '0xad0f2f858c20910bd560b738434ba65e1279d9bbe339b0a4cd22d4a90e59646b',
        })
      })

      it('finds us through discv4, one side dials, eth/69 Status both ways, admin_peers lists us', async () => {
        const added = await app!.waitFor('peer added', (l) => String(l.client).startsWith('Geth/'))
        const eth = await app!.waitFor('eth peer registered', (l) => l.peer === added.id)
        expect(eth.eth).toBe(69)

        await node!.waitForLog(/Ethereum peer connected.*name=node-app\//)
        const peers = await node!.rpc<GethPeer[]>('admin_peers')
        us = peers.find((p) => p.enode.startsWith(`enode://${ours.id}@`))
        expect(us?.name).toMatch(/^node-app\/v/)
        expect(us?.caps).toEqual(expect.arrayContaining(['eth/68', 'eth/69', 'ping/1']))
        expect(us?.network.inbound).toBe(!added.inbound)
        expect(us?.protocols.eth).toMatchObject({ version: 69 })
        // geth's discv4 table holds us: it revalidates (pings) the bootnode it bonded with.
        await node!.waitForLog(new RegExp(`Node revalidated .*id=${us!.id.slice(0, 16)}`))
      })

      it(
        `the link holds for ${holdMs / 1000} s (p2p Ping/Pong both ways)`,
        async () => {
          expect(us, 'not connected').toBeDefined()
          const dropped = () => app!.lines.some((l) => l.msg === 'peer dropped')
          await new Promise((resolve) => setTimeout(resolve, holdMs))
          expect(dropped()).toBe(false)
          const peers = await node!.rpc<GethPeer[]>('admin_peers')
          const still = peers.find((p) => p.enode === us!.enode)
          expect(still?.network.remoteAddress).toBe(us!.network.remoteAddress)
        },
        holdMs + 30_000,
      )
    })
  })
} else {
  describe.skip(`a live geth on loopback (${skipReason})`, () => {
    it('needs Go to build geth', () => {})
  })
}
