import { parseEnode } from '@x/discover'
import { describe, expect, it } from 'vitest'
import { type App, appFixture, untilAll } from './harness.js'

// Issue 6's local network: ten node-app processes on 127.0.0.1, one bootnode, discovery only
// (no static nodes). Each must reach its peer target; after three are killed, the others
// redial through discovery until they are back at it. The target counted is the peers a node
// dialed itself (inbound peers come on top).

const nodes = 10
/** go-ethereum's split: a node dials maxpeers / dialRatio (6 / 3 = 2) itself, 4 slots are inbound. */
const maxPeers = 6
/** Each node's dial target. */
const target = 2

const apps = appFixture()

const spawnNode = (i: number, ...args: string[]) =>
  apps.spawn(`n${i}`, '--maxpeers', String(maxPeers), '--network', 'devnet', ...args)

describe('a ten-node network on 127.0.0.1', () => {
  it('every node reaches its peer target through discovery, and redials after nodes die', async () => {
    const boot = spawnNode(0)
    const bootnode = String((await boot.waitFor('node started')).enode)
    const others = Array.from({ length: nodes - 1 }, (_, i) =>
      spawnNode(i + 1, '--bootnodes', bootnode),
    )
    const all = [boot, ...others]
    await Promise.all(all.map((a) => a.waitFor('node started')))
    await untilAll(all, (a) => a.dialed >= target, 'its dial target')
    for (const a of all) {
      expect(a.dialed).toBeGreaterThanOrEqual(target)
      expect(a.peers).toBeLessThanOrEqual(maxPeers)
    }

    // Kill three non-boot nodes outright (no Disconnect): the others see broken links. Chosen so
    // that one survivor, `watched`, loses every peer it dialed but the bootnode: it has to dial
    // new peers found through discovery to get back to its target.
    const shortId = new Map<App, string>()
    for (const a of all) {
      shortId.set(a, parseEnode(String((await a.waitFor('node started')).enode)).idHex.slice(0, 16))
    }
    const dialedOthers = (a: App) => others.filter((o) => a.dialedIds().has(shortId.get(o) ?? ''))
    const watched = others.find((a) => dialedOthers(a).length <= 3)
    if (!watched) throw new Error('no node with at most 3 non-boot dialed peers')
    const killed = dialedOthers(watched)
    for (const o of others)
      if (killed.length < 3 && o !== watched && !killed.includes(o)) killed.push(o)
    const killedIds = killed.map((a) => shortId.get(a) ?? '')
    const survivors = all.filter((a) => !killed.includes(a))
    const watchedFrom = watched.lines.length
    await Promise.all(killed.map((a) => a.stop('SIGKILL')))
    // Every link to a killed node is noticed and dropped...
    await Promise.all(
      survivors.map((a) => {
        const linked = killedIds.filter((id) =>
          a.lines.some((l) => l.msg === 'peer added' && l.peer === id),
        )
        const dropped = (id: string) =>
          a.lines.some((l) => l.msg === 'peer dropped' && l.peer === id)
        return a.until(() => linked.every(dropped), 'links to the killed nodes dropped')
      }),
    )
    // ...and every survivor is back at its target, redialing through discovery.
    await untilAll(survivors, (a) => a.dialed >= target, `${target} dialed peers`)
    const redialed = watched.lines
      .slice(watchedFrom)
      .filter((l) => l.msg === 'peer added' && l.inbound === false)
    expect(redialed.length).toBeGreaterThan(0)
    for (const a of survivors) {
      expect(a.dialed).toBeGreaterThanOrEqual(target)
      expect(a.peers).toBeLessThanOrEqual(maxPeers)
    }
    expect(await Promise.all(survivors.map((a) => a.stop('SIGTERM')))).toEqual(
      survivors.map(() => 0),
    )
  }, 150_000)
})
