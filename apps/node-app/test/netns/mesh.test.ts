import { toHex } from '@x/core'
import { generatePrivateKey, nodeIdFromPrivateKey, parseEnode } from '@x/discover'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type App, appFixture, untilAll } from '../harness.js'
import { type Host, Netns, sweepStale } from './netns.js'
import { netnsDescribe } from './suite.js'

// Issue 16: five hosts, each a network namespace with its own address on one bridge, each
// running node-app with no --addr and no --nat (so bound to all interfaces, advertising
// 127.0.0.1 at first). One is the bootnode. Each must find the four others and dial them, and
// learn its own address from the Pongs of the others and advertise it.

const n = 5
const net = '10.77.0'
/** Statements needed: four other hosts can speak for each node (go-ethereum wants 10). */
const minStatements = 3

const apps = appFixture()

netnsDescribe('five hosts in network namespaces', () => {
  let netns: Netns
  let hosts: Host[]
  beforeAll(() => {
    sweepStale()
    netns = new Netns()
    const sw = netns.addSwitch('mesh')
    hosts = Array.from({ length: n }, (_, i) =>
      netns.addHost(`m${i + 1}`, sw, `${net}.${i + 1}/24`),
    )
  })
  afterAll(() => netns?.close())

  it('finds and dials the others, and each learns and advertises its own address', async () => {
    const keys = hosts.map(() => generatePrivateKey())
    const ids = keys.map((k) => toHex(nodeIdFromPrivateKey(k)))
    const boot = `enode://${ids[0]}@${hosts[0]?.ip}:30303`
    const t0 = performance.now()
    const all: App[] = hosts.map((h, i) =>
      apps.spawnIn(
        h.exec,
        `h${i + 1}`,
        ...['--nodekeyhex', toHex(keys[i] as Uint8Array), '--network', 'devnet'],
        ...['--netrestrict', `${net}.0/24`, '--maxpeers', '12'],
        ...['--discovery.minstatements', String(minStatements), '--loglevel', 'debug'],
        ...(i === 0 ? [] : ['--bootnodes', boot]),
      ),
    )
    const started = await Promise.all(all.map((a) => a.waitFor('node started')))
    // No --nat: bound to all interfaces, so the first enode URL says 127.0.0.1.
    for (const l of started) {
      expect(parseEnode(String(l.enode)).ip).toBe('127.0.0.1')
      expect(String(l.listen)).toMatch(/^\[::\]:30303$|^0\.0\.0\.0:30303$/)
    }
    const short = ids.map((id) => id.slice(0, 16))
    const peersOf = (a: App) => {
      const p = new Set<string>()
      for (const l of a.lines) {
        if (l.msg === 'peer added') p.add(String(l.peer))
        else if (l.msg === 'peer dropped') p.delete(String(l.peer))
      }
      return p
    }
    const meshed = (a: App) => {
      const i = all.indexOf(a)
      const p = peersOf(a)
      return short.every((s, j) => j === i || p.has(s))
    }
    await untilAll(all, meshed, 'a link to each of the four others')
    const meshMs = performance.now() - t0

    const learned = await Promise.all(
      all.map((a, i) =>
        a.waitFor('advertised endpoint changed', (l) =>
          String(l.enode).includes(`@${hosts[i]?.ip}:`),
        ),
      ),
    )
    for (const [i, l] of learned.entries()) {
      const node = parseEnode(String(l.enode))
      expect(node.ip).toBe(hosts[i]?.ip)
      expect(node.tcp).toBe(30303)
      expect(Number(l.statements)).toBeGreaterThanOrEqual(minStatements)
    }
    // Each node other than the bootnode dialed others itself (whom it had not been dialed by
    // first); the bootnode, which everyone dials at once, need not dial anyone.
    const dialedTo = all.map(
      (a) =>
        new Set(a.lines.filter((l) => l.msg === 'dialing').map((l) => String(l.node).slice(0, 16))),
    )
    for (const [i, d] of dialedTo.entries()) {
      for (const s of d) expect(short).toContain(s)
      if (i > 0) expect(d.size).toBeGreaterThanOrEqual(1)
    }
    const pongs = learned.map((l) => Number(l.pongs))
    console.info(
      `netns mesh: ${n} hosts fully meshed in ${Math.round(meshMs)} ms; endpoint learned after ` +
        `${pongs.join(', ')} pongs (min ${Math.min(...pongs)}, max ${Math.max(...pongs)}; ` +
        `${minStatements} distinct hosts needed); others dialed per node: ` +
        `${dialedTo.map((d) => d.size).join(', ')}`,
    )
  }, 90_000)
})
