import { toHex } from '@x/core'
import { generatePrivateKey, nodeIdFromPrivateKey, parseEnode } from '@x/discover'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { appFixture } from '../harness.js'
import { type Host, Netns, sweepStale } from './netns.js'
import { netnsDescribe } from './suite.js'

// Issue 16: hosts behind a NAT. A router namespace joins a "wan" bridge (10.77.0.0/24, where
// the outside host is) and a "lan" bridge (10.88.0.0/24) and masquerades the LAN behind its
// wan address 10.77.0.1; the outside host has no route into the LAN. Its TCP and UDP port
// 30303 are forwarded to lanA by hand, as an operator would for `--nat extip:`.
//  - lanA with --nat extip:10.77.0.1 is reachable from outside: the outside node dials it.
//  - lanB without a usable gateway (--nat any: no UPnP or NAT-PMP answers) still dials out.

const routerIp = '10.77.0.1'
const port = '30303'

const apps = appFixture()

const key = () => {
  const k = generatePrivateKey()
  return { hex: toHex(k), id: toHex(nodeIdFromPrivateKey(k)) }
}

netnsDescribe(
  'a node behind a namespace NAT',
  () => {
    let netns: Netns
    let outside: Host
    let lanA: Host
    let lanB: Host
    beforeAll(() => {
      sweepStale()
      netns = new Netns()
      const wan = netns.addSwitch('wan')
      const lan = netns.addSwitch('lan')
      outside = netns.addHost('out', wan, '10.77.0.10/24')
      const router = netns.addHost('router', wan, `${routerIp}/24`)
      netns.attach(router.ns, lan, 'eth1', '10.88.0.1/24')
      lanA = netns.addHost('lanA', lan, '10.88.0.2/24', '10.88.0.1')
      lanB = netns.addHost('lanB', lan, '10.88.0.3/24', '10.88.0.1')
      const ipt = (...args: string[]) => netns.exec(router.ns, 'iptables', args)
      netns.exec(router.ns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1'])
      ipt('-t', 'nat', '-A', 'POSTROUTING', '-s', '10.88.0.0/24', '-o', 'eth0', '-j', 'MASQUERADE')
      for (const proto of ['tcp', 'udp']) {
        ipt(
          ...['-t', 'nat', '-A', 'PREROUTING', '-i', 'eth0', '-p', proto, '--dport', port],
          ...['-j', 'DNAT', '--to-destination', `${lanA.ip}:${port}`],
        )
      }
    })
    afterAll(() => netns?.close())

    it('with --nat extip: is reachable from outside; without, still dials out', async () => {
      const [o, a, b] = [key(), key(), key()]
      const common = ['--network', 'devnet', '--port', port, '--netrestrict', '10.77.0.0/24']
      const appA = apps.spawnIn(
        lanA.exec,
        'lanA',
        ...common,
        ...['--nodekeyhex', a.hex, '--nat', `extip:${routerIp}`],
      )
      const startedA = await appA.waitFor('node started')
      // Advertised, not bound: it listens on all interfaces and says the router's address.
      expect(parseEnode(String(startedA.enode)).ip).toBe(routerIp)
      expect(String(startedA.listen)).not.toContain(routerIp)

      const out = apps.spawnIn(
        outside.exec,
        'out',
        ...common,
        ...['--nodekeyhex', o.hex, '--bootnodes', `enode://${a.id}@${routerIp}:${port}`],
      )
      const appB = apps.spawnIn(
        lanB.exec,
        'lanB',
        ...common,
        ...['--nodekeyhex', b.hex, '--nat', 'any'],
        ...['--bootnodes', `enode://${o.id}@${outside.ip}:${port}`],
      )
      const oShort = o.id.slice(0, 16)
      // The outside node dialed lanA through the router's forwarded port.
      const inA = await appA.waitFor('peer added', (l) => l.peer === oShort)
      expect(inA.inbound).toBe(true)
      // lanB found no gateway within the bounded timeouts and went on; it dialed out.
      const startedB = await appB.waitFor('node started')
      const noGw = await appB.waitFor('no NAT gateway answered; the endpoint is learned from peers')
      expect(noGw.nat).toBe('any')
      const outB = await appB.waitFor('peer added', (l) => l.peer === oShort)
      expect(outB.inbound).toBe(false)
      const seenFrom = await out.waitFor('peer added', (l) => l.peer === b.id.slice(0, 16))
      expect(seenFrom.inbound).toBe(true)
      const gaveUpMs = Date.parse(String(noGw.t)) - Date.parse(String(startedB.t))
      // UPnP's 3 s bound is the longer of the two searches.
      expect(gaveUpMs).toBeLessThan(5_000)
      console.info(
        `netns nat: lanA (extip) dialed from outside; lanB (--nat any) gave up the gateway ` +
          `search ${gaveUpMs} ms after start and dialed out`,
      )
    }, 60_000)
  },
  { iptables: true },
)
