import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ClassicLevel } from 'classic-level'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  dbSchema,
  Enr,
  generatePrivateKey,
  LevelNodeDB,
  MemoryNodeDB,
  Node,
  NodeDBError,
  nodeIdFromPrivateKey,
  openNodeDB,
} from '../../src/index.js'

const now = 1_700_000_000_000
const mkNode = (ip = '10.0.0.1', port = 30303) =>
  new Node({ id: nodeIdFromPrivateKey(generatePrivateKey()), ip, udp: port, tcp: port + 1 })

let dir: string
const opened: LevelNodeDB[] = []
const open = async (opts: Parameters<typeof LevelNodeDB.open>[1] = {}) => {
  const db = await LevelNodeDB.open(dir, opts)
  opened.push(db)
  return db
}
/** Raw access to the store, for planting bad values. */
async function raw(fn: (l: ClassicLevel<string, Uint8Array>) => Promise<void>): Promise<void> {
  const l = new ClassicLevel<string, Uint8Array>(dir, {
    keyEncoding: 'utf8',
    valueEncoding: 'view',
  })
  await l.open()
  try {
    await fn(l)
  } finally {
    await l.close()
  }
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'x-nodedb-'))
})
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()))
  await rm(dir, { recursive: true, force: true })
})

describe('LevelNodeDB', () => {
  it('round-trips records, endpoint state and the local seq across close/open', async () => {
    const key = generatePrivateKey()
    const enr = Enr.create({ privateKey: key, seq: 7n, ip: '10.0.0.9', udp: 30303, tcp: 30303 })
    const withEnr = new Node({
      id: nodeIdFromPrivateKey(key),
      ip: '10.0.0.9',
      udp: 30303,
      tcp: 30303,
    })
    const v6 = mkNode('2001:db8::1', 40000)
    const db = await open()
    db.updateNode({ node: withEnr, enr: enr.encode(), lastSeen: now - 10 })
    db.updateNode({ node: v6, lastSeen: now - 5 })
    db.updateLastPingReceived(v6.id, v6.ip, now - 3)
    db.updateLastPongReceived(v6.id, v6.ip, now - 2)
    db.updateFindFails(v6.id, v6.ip, 3)
    db.storeLocalSeq(withEnr.id, 42n)
    await db.close()

    const again = await open()
    expect(again.size).toBe(2)
    expect(again.stats).toMatchObject({
      loadedNodes: 2,
      loadedEndpoints: 1,
      corrupt: 0,
      wiped: false,
    })
    const e = again.node(withEnr.id)!
    expect(e.node.equals(withEnr)).toBe(true)
    expect(e.lastSeen).toBe(now - 10)
    expect(Enr.decode(e.enr!).seq).toBe(7n)
    expect(again.node(v6.id)?.node.equals(v6)).toBe(true)
    expect(again.node(v6.id)?.enr).toBeUndefined()
    expect(again.lastPingReceived(v6.id, v6.ip)).toBe(now - 3)
    expect(again.lastPongReceived(v6.id, v6.ip)).toBe(now - 2)
    expect(again.findFails(v6.id, v6.ip)).toBe(3)
    expect(again.localSeq(withEnr.id)).toBe(42n)
    expect(again.localSeq(v6.id)).toBeUndefined()
  })

  it('persists updates and deletes, with the latest write of a key winning', async () => {
    const [a, b, c] = [mkNode(), mkNode(), mkNode()]
    const db = await open()
    db.updateNode({ node: a!, lastSeen: now - 100 })
    db.updateNode({ node: b!, lastSeen: now - 100 })
    await db.flush()
    db.updateNode({ node: a!.withEndpoint({ ip: '10.1.1.1' }), lastSeen: now - 1 })
    db.deleteNode(b!.id)
    db.updateNode({ node: c!, lastSeen: now })
    db.deleteNode(c!.id)
    await db.close()
    const again = await open()
    expect(again.size).toBe(1)
    expect(again.node(a!.id)?.node.ip).toBe('10.1.1.1')
    expect(again.node(b!.id)).toBeUndefined()
    expect(again.node(c!.id)).toBeUndefined()
  })

  it('expires nodes on disk when swept, and loads records of any age on open', async () => {
    const [old, fresh, answered] = [mkNode(), mkNode(), mkNode()]
    const db = await open()
    db.updateNode({ node: old!, lastSeen: now - 1000 })
    db.updateLastPongReceived(old!.id, old!.ip, now - 1000)
    db.updateNode({ node: fresh!, lastSeen: now })
    // Its record is old, but it answered a Ping recently: kept (go-ethereum expires by Pong).
    db.updateNode({ node: answered!, lastSeen: now - 1000 })
    db.updateLastPongReceived(answered!.id, answered!.ip, now - 100)
    expect(db.expireNodes(now - 500)).toBe(1)
    await db.close()
    const again = await open()
    expect(again.size).toBe(2)
    expect(again.node(old!.id)).toBeUndefined()
    expect(again.lastPongReceived(old!.id, old!.ip)).toBe(0)
    expect(again.lastPongReceived(answered!.id, answered!.ip)).toBe(now - 100)
    await again.close()
    // Opening never expires: records 25 h and 6 days old are all loaded, pongs included.
    const stale = mkNode()
    const third = await open()
    third.updateNode({ node: stale, lastSeen: now - 6 * 24 * 3600_000 })
    third.updateLastPongReceived(stale.id, stale.ip, now - 6 * 24 * 3600_000)
    await third.close()
    const later = await open()
    expect(later.size).toBe(3)
    expect(later.lastPongReceived(stale.id, stale.ip)).toBe(now - 6 * 24 * 3600_000)
    // The sweep (the table runs it hourly) is what deletes them, on disk too.
    expect(later.expireNodes(now + 1)).toBe(3)
    await later.close()
    let keys = 0
    await raw(async (l) => {
      for await (const k of l.keys()) if (k !== dbSchema.versionKey) keys++
    })
    expect(keys).toBe(0)
  })

  it('is bounded: evicts the least recently seen beyond maxNodes, also on open', async () => {
    const nodes = Array.from({ length: 6 }, () => mkNode())
    const db = await open({ maxNodes: 4 })
    for (const [i, node] of nodes.entries()) db.updateNode({ node, lastSeen: now - 100 + i })
    expect(db.size).toBe(4)
    await db.close()
    const again = await open({ maxNodes: 2 })
    expect(again.size).toBe(2)
    expect(again.node(nodes[5]!.id)).toBeDefined()
    expect(again.node(nodes[4]!.id)).toBeDefined()
    // The evicted records are gone from disk too: the original bound reads back 2.
    await again.close()
    expect((await open({ maxNodes: 4 })).size).toBe(2)
  })

  it('wipes a store written by another schema version', async () => {
    const db = await open()
    db.updateNode({ node: mkNode(), lastSeen: now })
    await db.close()
    await raw(async (l) => {
      const { encodeRlp } = await import('@x/core')
      await l.put(dbSchema.versionKey, encodeRlp([dbSchema.schemaVersion + 1, new Uint8Array(0)]))
    })
    const again = await open()
    expect(again.stats.wiped).toBe(true)
    expect(again.size).toBe(0)
    await again.close()
    // The version key is rewritten: the next open keeps what it finds.
    const third = await open()
    expect(third.stats.wiped).toBe(false)
  })

  it('wipes a store written for another node ID, and one without a version key', async () => {
    const me = nodeIdFromPrivateKey(generatePrivateKey())
    const db = await open({ selfId: me })
    db.updateNode({ node: mkNode(), lastSeen: now })
    await db.close()
    expect((await open({ selfId: me })).size).toBe(1)
    await opened.pop()!.close()
    // Opening without an ID keeps the store (and its recorded ID).
    expect((await open()).size).toBe(1)
    await opened.pop()!.close()
    const other = await open({ selfId: nodeIdFromPrivateKey(generatePrivateKey()) })
    expect(other.stats.wiped).toBe(true)
    expect(other.size).toBe(0)
    await other.close()

    await rm(dir, { recursive: true, force: true })
    await raw(async (l) => l.put('something-else', new Uint8Array([1])))
    const foreign = await open()
    expect(foreign.stats.wiped).toBe(true)
  })

  it('skips and deletes corrupt values instead of failing', async () => {
    const good = mkNode()
    const db = await open()
    db.updateNode({ node: good, lastSeen: now })
    await db.close()
    const bad = mkNode()
    const idHex = bad.idHex
    await raw(async (l) => {
      await l.put(`${dbSchema.nodePrefix}${idHex}`, new Uint8Array([0xff, 0x01]))
      // Well-formed RLP, but the ID in the value is not the key's.
      const { encodeRlp } = await import('@x/core')
      await l.put(
        `${dbSchema.nodePrefix}${'ab'.repeat(64)}`,
        encodeRlp([bad.id, new Uint8Array([10, 0, 0, 1]), 1, 1, now, new Uint8Array(0)]),
      )
      await l.put(`${dbSchema.endpointPrefix}${idHex}|10.0.0.1`, new Uint8Array([0xc1]))
      await l.put(`${dbSchema.endpointPrefix}nothex|10.0.0.1`, encodeRlp([1, 2, 3]))
      await l.put(`${dbSchema.localPrefix}${idHex}:seq`, encodeRlp(['not', 'a', 'seq']))
    })
    const warnings: string[] = []
    const logger = {
      debug() {},
      info() {},
      warn: (_m: string, f?: Record<string, unknown>) => warnings.push(String(f?.key)),
      error() {},
      child() {
        return logger
      },
    }
    const again = await open({ logger })
    expect(again.stats.corrupt).toBe(5)
    expect(warnings).toHaveLength(5)
    expect(again.size).toBe(1)
    expect(again.node(good.id)?.node.equals(good)).toBe(true)
    await again.close()
    const third = await open()
    expect(third.stats.corrupt).toBe(0)
    expect(third.size).toBe(1)
  })

  it('creates missing parent directories', async () => {
    const nested = join(dir, 'a', 'b', 'nodes')
    const db = await LevelNodeDB.open(nested)
    opened.push(db)
    db.updateNode({ node: mkNode(), lastSeen: now })
    await db.close()
    expect((await open()).size).toBe(0)
    const again = await LevelNodeDB.open(nested)
    opened.push(again)
    expect(again.size).toBe(1)
  })

  it('fails with ERR_DB_OPEN when another handle holds the store', async () => {
    await open()
    const e = await LevelNodeDB.open(dir).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(NodeDBError)
    expect((e as NodeDBError).code).toBe('ERR_DB_OPEN')
  })

  it('ignores writes after close; close is idempotent', async () => {
    const db = await open()
    await Promise.all([db.close(), db.close()])
    expect(db.closed).toBe(true)
    db.updateNode({ node: mkNode(), lastSeen: now })
    await db.flush()
    expect((await open()).size).toBe(0)
  })
})

describe('LevelNodeDB crash safety', () => {
  it('a kill -9 during writes leaves a store that opens with whole records', async () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), 'kill-writer.ts')
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise((r) => child.once('exit', r))
    try {
      // Kill it mid-stream: after a few rounds were flushed, while the next ones are written.
      await new Promise<void>((resolve, reject) => {
        let lines = 0
        child.stdout.on('data', (b: Buffer) => {
          lines += b.toString().split('\n').length - 1
          if (lines >= 3) resolve()
        })
        child.once('exit', (code) => reject(new Error(`writer exited early: ${code}`)))
      })
    } finally {
      child.kill('SIGKILL')
      await exited
    }
    const db = await open()
    expect(db.stats.corrupt).toBe(0)
    expect(db.stats.wiped).toBe(false)
    expect(db.size).toBeGreaterThanOrEqual(600)
  }, 20_000)
})

describe('openNodeDB', () => {
  it('is in memory without a path', async () => {
    const db = await openNodeDB()
    expect(db).toBeInstanceOf(MemoryNodeDB)
    await db.close()
  })

  it('opens LevelDB at a path; close flushes', async () => {
    const n = mkNode()
    const db = await openNodeDB({ path: dir })
    expect(db).toBeInstanceOf(LevelNodeDB)
    db.updateNode({ node: n, lastSeen: now })
    await db.close()
    const again = await openNodeDB({ path: dir })
    expect(again.node(n.id)?.node.equals(n)).toBe(true)
    await again.close()
  })
})
