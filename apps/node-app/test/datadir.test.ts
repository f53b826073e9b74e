import { parseEnode } from '@x/discover'
import { describe, expect, it } from 'vitest'
import { type App, appFixture } from './harness.js'

// Issue 4: a node restarted on the same --datadir seeds its table from its node database
// (<datadir>/nodes, LevelDB) and rejoins without any bootnode, over real UDP. The discovery
// timing flags shorten go-ethereum's "5 minutes live in the table before it is a seed".

const apps = appFixture()

const spawnApp = apps.spawn

const fast = ['--discovery.revalidate', '50ms', '--discovery.copy', '100ms']
const short = async (a: App) =>
  parseEnode(String((await a.waitFor('node started')).enode)).idHex.slice(0, 16)

describe('node-app --datadir', () => {
  it('keeps live nodes in its database and rejoins from them without bootnodes', async () => {
    const boot = spawnApp('boot')
    const bootnode = String((await boot.waitFor('node started')).enode)
    const others = [spawnApp('b', '--bootnodes', bootnode), spawnApp('c', '--bootnodes', bootnode)]
    const otherIds = await Promise.all(others.map(short))

    const args = ['--loglevel', 'debug', ...fast, '--discovery.seedtime', '200ms']
    const first = spawnApp('d', '--bootnodes', bootnode, ...args)
    const selfId = await short(first)
    // The copy loop stores every table node that answered a revalidation ping.
    await first.waitFor('copied live nodes to the DB', (l) => Number(l.nodes) >= 3)
    expect(await first.stop('SIGTERM')).toBe(0)
    expect(first.lines.some((l) => l.msg === 'node database closed')).toBe(true)

    // The bootnode goes away for good; the restart has no bootnodes at all.
    expect(await boot.stop('SIGTERM')).toBe(0)
    const second = spawnApp('d', ...args)
    expect(await short(second)).toBe(selfId)
    const opened = await second.waitFor('node database opened')
    expect(Number(opened.nodes)).toBeGreaterThanOrEqual(3)
    // Its table is seeded from the DB: it finds and dials the survivors again.
    await Promise.all(
      otherIds.map((id) =>
        second.until(
          () => second.lines.some((l) => l.msg === 'peer added' && l.peer === id),
          `peer ${id}`,
        ),
      ),
    )
    expect(await second.stop('SIGTERM')).toBe(0)
  }, 60_000)
})
