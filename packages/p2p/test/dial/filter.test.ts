import { Enr, generatePrivateKey, Node, nodeIdFromPrivateKey } from '@x/discover'
import { describe, expect, it } from 'vitest'
import { type DialFilter, filteredCandidates, type RecordResolver } from '../../src/dial/filter.js'

interface Peer {
  node: Node
  record: Enr
}

function peer(i: number, eth: boolean): Peer {
  const privateKey = generatePrivateKey()
  const id = nodeIdFromPrivateKey(privateKey)
  const port = 30_000 + i
  return {
    // The table knows an old endpoint; the record has the current one.
    node: new Node({ id, ip: '127.0.0.1', udp: port, tcp: port }),
    record: Enr.create({
      privateKey,
      seq: 1n,
      ip: '127.0.0.2',
      udp: port,
      tcp: port,
      entries: eth ? { eth: [[Uint8Array.of(1, 2, 3, 4), 0]] } : {},
    }),
  }
}

async function* fromList(nodes: Node[], returned: { done: boolean }) {
  try {
    for (const n of nodes) yield n
  } finally {
    returned.done = true
  }
}

const hasEth: DialFilter = (r) => r.entries.has('eth')

describe('filteredCandidates (go-ethereum enode.AsyncFilter + eth node filter)', () => {
  it('yields the nodes whose record passes, at the record endpoint, skipping failures', async () => {
    const peers = [peer(1, true), peer(2, false), peer(3, true), peer(4, true), peer(5, true)]
    const byId = new Map(peers.map((p) => [p.node.idHex, p]))
    const impostor = peer(6, true)
    const resolve: RecordResolver = async (node) => {
      if (node.idHex === peers[3]?.node.idHex) throw new Error('no ENR response')
      // A record signed by another key than the node's is not this node's.
      if (node.idHex === peers[4]?.node.idHex) return impostor.record
      return (byId.get(node.idHex) as Peer).record
    }
    const returned = { done: false }
    const ac = new AbortController()
    const got: Node[] = []
    for await (const n of filteredCandidates(
      fromList(
        peers.map((p) => p.node),
        returned,
      ),
      resolve,
      hasEth,
      ac.signal,
    )) {
      got.push(n)
    }
    expect(got.map((n) => n.idHex).sort()).toEqual(
      [peers[0], peers[2]].map((p) => p?.node.idHex).sort(),
    )
    expect(got.every((n) => n.ip === '127.0.0.2')).toBe(true)
    expect(returned.done).toBe(true)
  })

  it('keeps at most `parallel` record requests in flight and pulls while they run', async () => {
    const peers = Array.from({ length: 40 }, (_, i) => peer(i, true))
    const byId = new Map(peers.map((p) => [p.node.idHex, p]))
    let inFlight = 0
    let most = 0
    const resolve: RecordResolver = async (node) => {
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise((r) => setImmediate(r))
      inFlight--
      return (byId.get(node.idHex) as Peer).record
    }
    const ac = new AbortController()
    let n = 0
    for await (const _ of filteredCandidates(
      fromList(
        peers.map((p) => p.node),
        { done: false },
      ),
      resolve,
      hasEth,
      ac.signal,
      4,
    )) {
      n++
    }
    expect(n).toBe(40)
    expect(most).toBe(4)
  })

  it('ends when the signal aborts and returns the source', async () => {
    const peers = Array.from({ length: 5 }, (_, i) => peer(i, true))
    const byId = new Map(peers.map((p) => [p.node.idHex, p]))
    const returned = { done: false }
    const ac = new AbortController()
    const it = filteredCandidates(
      fromList(
        peers.map((p) => p.node),
        returned,
      ),
      async (node) => (byId.get(node.idHex) as Peer).record,
      hasEth,
      ac.signal,
    )
    expect((await it.next()).done).toBe(false)
    ac.abort()
    expect((await it.next()).done).toBe(true)
    expect(returned.done).toBe(true)
  })
})
