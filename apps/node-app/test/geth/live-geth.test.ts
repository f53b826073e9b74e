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
// Ping. Both directions of the RLPx dial: we dial geth; with `--nodial` on our side, geth dials
// us, which it does only because our record's `eth` entry passes its fork filter
// (go-ethereum's eth.NewNodeFilter).

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

    /** node-app (with `args`) and a geth whose only bootnode it is, for the tests of a describe. */
    function pair(o: { args?: string[]; gethNoDial?: boolean }) {
      const p = { dir: '', app: undefined as App | undefined, geth: undefined as Geth | undefined }
      const ours = { enode: '', id: '' }
      beforeAll(async () => {
        expect(geth, 'geth is not installed').not.toBe('')
        p.dir = await mkdtemp(join(tmpdir(), 'node-app-geth-'))
        p.app = new App([
          ...['--datadir', join(p.dir, 'node-app'), '--port', '0', '--extip', '127.0.0.1'],
          ...['--netrestrict', '127.0.0.0/8', '--network', 'devnet', ...(o.args ?? [])],
        ])
        ours.enode = String((await p.app.waitFor('node started')).enode)
        ours.id = parseEnode(ours.enode).idHex
        await mkdir(join(p.dir, 'geth'))
        p.geth = await Geth.start({
          bin: geth,
          datadir: join(p.dir, 'geth'),
          genesis: devnetGenesis,
          networkId: devnetNetworkId,
          bootnodes: [ours.enode],
          noDial: o.gethNoDial ?? false,
        })
      }, 60_000)
      afterAll(async () => {
        await p.geth?.stop()
        await p.app?.stop('SIGKILL')
        if (p.dir) await rm(p.dir, { recursive: true, force: true })
      })
      /** Waits for the eth/72 link on both sides; resolves with geth's admin_peers entry of us. */
      const connected = async (inbound: boolean): Promise<GethPeer> => {
        const app = p.app!
        const added = await app.waitFor('peer added', (l) => String(l.client).startsWith('Geth/'))
        expect(added.inbound).toBe(inbound)
        const eth = await app.waitFor('eth peer registered', (l) => l.peer === added.peer)
        expect(eth.eth).toBe(72)
        await p.geth!.waitForLog(/Ethereum peer connected.*name=node-app\//)
        const peers = await p.geth!.rpc<GethPeer[]>('admin_peers')
        const us = peers.find((peer) => peer.enode.startsWith(`enode://${ours.id}@`))
        expect(us?.name).toMatch(/^node-app\/v/)
        expect(us?.caps).toEqual(
          expect.arrayContaining(['eth/69', 'eth/70', 'eth/71', 'eth/72', 'ping/1']),
        )
        expect(us?.network.inbound).toBe(!inbound)
        expect(us?.protocols.eth).toMatchObject({ version: 72 })
        return us!
      }
      return { p, connected }
    }

    // geth dials us as soon as it has our record, so it must not dial for us to be the dialer.
    describe('we dial geth (geth with NoDial)', () => {
      const { p, connected } = pair({ gethNoDial: true, args: ['--http', '--http.port', '0'] })
      let us: GethPeer | undefined

      it('geth writes our devnet genesis hash', async () => {
        const info = await p.geth!.rpc<{
          protocols: { eth: { genesis: string; network: number } }
        }>('admin_nodeInfo')
        expect(info.protocols.eth).toMatchObject({
          network: devnetNetworkId,
          genesis: '0xad0f2f858c20910bd560b738434ba65e1279d9bbe339b0a4cd22d4a90e59646b',
        })
      })

      it('finds us through discv4, we dial it, eth/72 Status both ways, admin_peers lists us', async () => {
        us = await connected(false)
        // geth's discv4 table holds us: it revalidates (pings) the bootnode it bonded with.
        await p.geth!.waitForLog(new RegExp(`Node revalidated .*id=${us.id.slice(0, 16)}`))
      })

      it("admin_nodeInfo and admin_peers have geth's result shapes (same keys as geth's own)", async () => {
        expect(us, 'not connected').toBeDefined()
        const listening = await p.app!.waitFor('health endpoints listening')
        const ourRpc = async <T>(method: string): Promise<T> => {
          const res = await fetch(`http://${listening.host}:${listening.port}/`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
          })
          return ((await res.json()) as { result: T }).result
        }
        type Info = Record<string, unknown> & { ports: object }
        const keys = (o: object) => Object.keys(o).sort()
        const theirInfo = await p.geth!.rpc<Info>('admin_nodeInfo')
        const ourInfo = await ourRpc<Info>('admin_nodeInfo')
        expect(keys(ourInfo)).toEqual(keys(theirInfo))
        expect(keys(ourInfo.ports)).toEqual(keys(theirInfo.ports))
        // Each side's entry for the other: the same fields, network details included.
        const ourPeers = await ourRpc<GethPeer[]>('admin_peers')
        const geths = ourPeers.find((peer) => peer.name.startsWith('Geth/'))
        expect(geths, 'admin_peers lists geth').toBeDefined()
        // `enr` is there when the side knows the other's record (geth: `json:"enr,omitempty"`).
        const peerKeys = (o: object) => keys(o).filter((k) => k !== 'enr')
        expect(peerKeys(geths!)).toEqual(peerKeys(us!))
        expect(keys(geths!.network)).toEqual(keys(us!.network))
      })

      it(
        `the link holds for ${holdMs / 1000} s (p2p Ping/Pong both ways)`,
        async () => {
          expect(us, 'not connected').toBeDefined()
          await new Promise((resolve) => setTimeout(resolve, holdMs))
          expect(p.app!.lines.some((l) => l.msg === 'peer dropped')).toBe(false)
          const peers = await p.geth!.rpc<GethPeer[]>('admin_peers')
          const still = peers.find((peer) => peer.enode === us!.enode)
          expect(still?.network.remoteAddress).toBe(us!.network.remoteAddress)
        },
        holdMs + 30_000,
      )
    })

    describe('geth dials us (node-app --nodial)', () => {
      const { connected } = pair({ args: ['--nodial'] })
      it('geth dials the node it found through discv4, eth/72 Status both ways', async () => {
        await connected(true)
      })
    })
  })
} else {
  describe.skip(`a live geth on loopback (${skipReason})`, () => {
    it('needs Go to build geth', () => {})
  })
}
