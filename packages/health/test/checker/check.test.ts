import { createServer, type Server } from 'node:net'
import { formatEnode, generatePrivateKey, Node, nodeIdFromPrivateKey } from '@x/discover'
import {
  type Cap,
  DisconnectReason,
  disconnectCode,
  emptyListPayload,
  encodeDisconnect,
  type MsgPipeEnd,
  msgPipe,
  pingCode,
  pongCode,
} from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type CheckDialer,
  checkNode,
  decodePingMsg,
  defaultCheckCaps,
  encodePingMsg,
  formatReport,
  sharedCapOffset,
} from '../../src/index.js'

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

const remoteId = nodeIdFromPrivateKey(generatePrivateKey())

async function listeningNode(): Promise<Node> {
  const server = createServer((s) => s.destroy())
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const addr = server.address()
  if (addr === null || typeof addr === 'string') throw new Error('no address')
  return new Node({ id: remoteId, ip: '127.0.0.1', udp: addr.port, tcp: addr.port })
}

type Behaviour = 'echo' | 'mismatch' | 'silent-ping' | 'no-base-pong' | 'disconnect'

/** A dialer whose remote end is scripted: answers base and ping/1 pings per `behaviour`. */
function scriptedDialer(caps: Cap[], behaviour: Behaviour = 'echo') {
  const seen: number[] = []
  let remote: MsgPipeEnd | undefined
  const dial: CheckDialer = async (node, opts) => {
    expect(opts.caps).toEqual(defaultCheckCaps.map(({ name, version }) => ({ name, version })))
    const [local, r] = msgPipe()
    remote = r
    void (async () => {
      // The remote pings us first (the checker must answer), and sends an eth Status-like noise.
      await r.writeMsg(pingCode, emptyListPayload)
      await r.writeMsg(16, Uint8Array.of(0xc0))
      const offset = sharedCapOffset(defaultCheckCaps, caps, 'ping', 1)
      for (;;) {
        const m = await r.readMsg()
        seen.push(m.code)
        if (m.code === pingCode) {
          if (behaviour === 'disconnect') {
            await r.writeMsg(disconnectCode, encodeDisconnect(DisconnectReason.TooManyPeers))
          } else if (behaviour !== 'no-base-pong') {
            await r.writeMsg(pongCode, emptyListPayload)
          }
        } else if (offset !== undefined && m.code === offset) {
          const nonce = decodePingMsg(m.payload)
          if (behaviour === 'mismatch') nonce[0]! ^= 0xff
          if (behaviour !== 'silent-ping') await r.writeMsg(offset + 1, encodePingMsg(nonce))
        }
      }
    })().catch(() => {})
    return {
      hello: { version: 5, clientId: 'remote/v1', caps, listenPort: node.tcp, id: node.id },
      rw: local,
      close: () => local.close(),
    }
  }
  return { dial, seen, remote: () => remote }
}

describe('sharedCapOffset', () => {
  it('assigns offsets alphabetically to the highest shared versions', () => {
    const theirs = [
      { name: 'eth', version: 68 },
      { name: 'eth', version: 69 },
      { name: 'ping', version: 1 },
      { name: 'snap', version: 1 },
    ]
    expect(sharedCapOffset(defaultCheckCaps, theirs, 'ping', 1)).toBe(16 + 18)
    expect(
      sharedCapOffset(
        defaultCheckCaps,
        [
          { name: 'ping', version: 1 },
          { name: 'eth', version: 68 },
        ],
        'ping',
        1,
      ),
    ).toBe(16 + 17)
    expect(sharedCapOffset(defaultCheckCaps, [{ name: 'ping', version: 1 }], 'ping', 1)).toBe(16)
    expect(sharedCapOffset(defaultCheckCaps, [{ name: 'eth', version: 68 }], 'ping', 1)).toBe(
      undefined,
    )
  })
})

describe('checkNode', () => {
  const withPing = [
    { name: 'eth', version: 68 },
    { name: 'ping', version: 1 },
  ]

  it('passes every check against a node that speaks ping/1, and says goodbye', async () => {
    const node = await listeningNode()
    const { dial, seen } = scriptedDialer(withPing)
    const report = await checkNode(formatEnode(node), { dial, timeout: 2000 })
    expect(report.ok).toBe(true)
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['tcp', 'pass'],
      ['handshake', 'pass'],
      ['base-ping', 'pass'],
      ['ping/1', 'pass'],
    ])
    expect(report.remote).toEqual({ clientId: 'remote/v1', version: 5, caps: ['eth/68', 'ping/1'] })
    // Our Ping, our Pong to their Ping, our ping/1 Ping at 16+17, then Disconnect.
    expect(seen).toEqual([pingCode, pongCode, 33, disconnectCode])
    const text = formatReport(report)
    expect(text).toContain('PASS  L7 ping/1')
    expect(text).toContain('remote client: remote/v1')
    expect(text.trimEnd().endsWith('result: PASS')).toBe(true)
  })

  it('skips ping/1 for a node without it and still passes', async () => {
    const node = await listeningNode()
    const { dial } = scriptedDialer([{ name: 'eth', version: 68 }])
    const report = await checkNode(node, { dial })
    expect(report.ok).toBe(true)
    expect(report.steps[3]).toMatchObject({
      name: 'ping/1',
      status: 'skip',
      note: 'remote does not speak ping/1',
    })
  })

  it('fails on a ping/1 payload mismatch', async () => {
    const node = await listeningNode()
    const { dial } = scriptedDialer(withPing, 'mismatch')
    const report = await checkNode(node, { dial })
    expect(report.ok).toBe(false)
    expect(report.steps[3]).toMatchObject({ status: 'fail', error: { code: 'ERR_PING_MISMATCH' } })
  })

  it('fails on a ping/1 timeout and a missing base Pong', async () => {
    const node = await listeningNode()
    let r = await checkNode(node, {
      dial: scriptedDialer(withPing, 'silent-ping').dial,
      timeout: 50,
    })
    expect(r.steps[3]).toMatchObject({ status: 'fail', error: { code: 'ERR_PING_TIMEOUT' } })
    r = await checkNode(node, { dial: scriptedDialer(withPing, 'no-base-pong').dial, timeout: 50 })
    expect(r.ok).toBe(false)
    expect(r.steps.map((s) => s.status)).toEqual(['pass', 'pass', 'fail', 'skip'])
  })

  it('reports a Disconnect instead of a Pong', async () => {
    const node = await listeningNode()
    const r = await checkNode(node, { dial: scriptedDialer(withPing, 'disconnect').dial })
    expect(r.steps[2]).toMatchObject({
      status: 'fail',
      error: { code: 'ERR_REMOTE_DISCONNECT', message: 'remote disconnected: too many peers' },
    })
  })

  it('fails at L4 for a closed port and skips the rest', async () => {
    const node = await listeningNode()
    await new Promise((r) => servers.pop()!.close(r))
    let dialed = false
    const r = await checkNode(node, {
      dial: async () => {
        dialed = true
        throw new Error('unreachable')
      },
    })
    expect(dialed).toBe(false)
    expect(r.ok).toBe(false)
    expect(r.steps.map((s) => s.status)).toEqual(['fail', 'skip', 'skip', 'skip'])
    expect(r.steps[0]).toMatchObject({ note: 'refused', error: { code: 'ERR_CONNECT_REFUSED' } })
    expect(formatReport(r)).toContain('ERR_CONNECT_REFUSED')
    expect(formatReport(r)).toContain('result: FAIL')
  })

  it('reports a failed handshake with its error code', async () => {
    const node = await listeningNode()
    const r = await checkNode(node, {
      dial: async () => {
        throw Object.assign(new Error('bad auth'), { code: 'ERR_HANDSHAKE' })
      },
    })
    expect(r.steps[1]).toMatchObject({ status: 'fail', error: { code: 'ERR_HANDSHAKE' } })
    expect(r.remote).toBeUndefined()
  })
})
