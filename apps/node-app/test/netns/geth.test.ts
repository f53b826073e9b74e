import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { toHex } from '@x/core'
import { generatePrivateKey, nodeIdFromPrivateKey, parseEnode } from '@x/discover'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { devnetGenesis, devnetNetworkId, Geth, type GethPeer } from '../geth/geth.js'
import { gethBinDir, hasGo, requireGeth } from '../geth/tools.js'
import { appFixture } from '../harness.js'
import { type Host, Netns, sweepStale } from './netns.js'
import { netnsDescribe } from './suite.js'

// Issue 16: geth (the geth suites' binary, .cache/) in one namespace finds a node-app in another
// through discv4 and dials it. node-app runs with --nodial, so a link can only be geth's dial,
// and with no --nat: it learns its address from geth's Pong (one statement is enough here, as
// geth is its only peer). geth is fenced in: --nat extip:<its ns IP>, --netrestrict to the test
// net, no DNS discovery, our node as its only bootnode, a temporary datadir, HTTP on its ns IP;
// it is killed by PID at the end.

const net = '10.77.0'
const apps = appFixture()
const gethWanted = hasGo || requireGeth

netnsDescribe('geth in a namespace', () => {
  let netns: Netns
  let appHost: Host
  let gethHost: Host
  let geth: Geth | undefined
  beforeAll(() => {
    sweepStale()
    netns = new Netns()
    const sw = netns.addSwitch('gsw')
    appHost = netns.addHost('app', sw, `${net}.2/24`)
    gethHost = netns.addHost('geth', sw, `${net}.3/24`)
  })
  afterAll(async () => {
    await geth?.stop()
    netns?.close()
  })

  it.skipIf(!gethWanted)(
    'finds and dials a node-app in another namespace',
    async () => {
      const bin = join(await gethBinDir(), 'geth')
      const key = generatePrivateKey()
      const id = toHex(nodeIdFromPrivateKey(key))
      const app = apps.spawnIn(
        appHost.exec,
        'app',
        ...['--nodekeyhex', toHex(key), '--network', 'devnet', '--port', '30303', '--nodial'],
        ...['--netrestrict', `${net}.0/24`, '--discovery.minstatements', '1'],
        ...['--identity', 'netns'],
      )
      await app.waitFor('node started')
      const datadir = apps.path('geth')
      await mkdir(datadir)
      geth = await Geth.start({
        bin,
        datadir,
        genesis: devnetGenesis,
        networkId: devnetNetworkId,
        bootnodes: [`enode://${id}@${appHost.ip}:30303`],
        host: { ip: gethHost.ip, netrestrict: `${net}.0/24`, exec: gethHost.exec },
      })
      const added = await app.waitFor('peer added', (l) => String(l.client).startsWith('Geth/'))
      expect(added.inbound).toBe(true)
      expect(String(added.addr)).toMatch(new RegExp(`^${gethHost.ip.replaceAll('.', '\\.')}:`))
      const learned = await app.waitFor('advertised endpoint changed')
      expect(parseEnode(String(learned.enode)).ip).toBe(appHost.ip)
      const peers = await geth.rpc<GethPeer[]>('admin_peers', [], gethHost.exec)
      const us = peers.find((p) => p.enode.startsWith(`enode://${id}@`))
      expect(us?.network.inbound).toBe(false)
      expect(us?.name).toMatch(/^node-app\/netns\/v/)
    },
    120_000,
  )
})
