import { parseEnode } from '@x/discover'
import { describe, expect, it } from 'vitest'
import { devnetNetworkId } from './geth/geth.js'
import { type App, appFixture } from './harness.js'

// `--http`: geth's admin/net/web3 JSON-RPC methods on the health endpoints' port, and the
// JSON-RPC 2.0 errors for bad requests.

const apps = appFixture()
const short = (enode: string) => parseEnode(enode).idHex.slice(0, 16)

async function start(name: string, ...args: string[]): Promise<{ app: App; enode: string }> {
  const app = apps.spawn(name, ...args)
  return { app, enode: String((await app.waitFor('node started')).enode) }
}

async function rpcNode(name: string, ...args: string[]) {
  const n = await start(name, '--http', '--http.port', '0', ...args)
  const l = await n.app.waitFor('health endpoints listening')
  const url = `http://${l.host}:${l.port}/`
  const post = async (body: string, type = 'application/json') => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body })
    const text = await res.text()
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) }
  }
  const call = async (method: string, params?: unknown[]) => {
    const { body } = await post(JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }))
    return body as { id: number; result?: unknown; error?: { code: number; message: string } }
  }
  return { ...n, url, post, call }
}

const keys = (o: unknown) => Object.keys(o as object).sort()

describe('node-app --http JSON-RPC', () => {
  it("answers geth's admin, net and web3 methods", async () => {
    const a = await rpcNode('a', '--nodiscover')
    const b = await start('b', '--nodiscover')
    const info = (await a.call('admin_nodeInfo')).result as Record<string, unknown>
    expect(info.enode).toContain(a.enode.slice(0, 136))
    // With --nodiscover there is no node record, so no `enr` (geth always has one).
    expect(keys(info)).toEqual(['enode', 'id', 'ip', 'listenAddr', 'name', 'ports', 'protocols'])
    expect((await a.call('net_peerCount')).result).toBe('0x0')
    expect((await a.call('net_listening')).result).toBe(true)
    expect((await a.call('net_version')).result).toBe(String(devnetNetworkId))
    expect((await a.call('web3_clientVersion')).result).toMatch(/^node-app\/v/)
    expect((await a.call('admin_peers')).result).toEqual([])

    expect(await a.call('admin_addPeer', [b.enode])).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: true,
    })
    await a.app.waitFor('peer added', (l) => l.peer === short(b.enode))
    const peers = (await a.call('admin_peers')).result as { enode: string; network: object }[]
    expect(peers).toHaveLength(1)
    expect(keys(peers[0])).toEqual(['caps', 'enode', 'id', 'name', 'network', 'protocols'])
    expect(peers[0]?.network).toMatchObject({ inbound: false, static: true, trusted: false })
    expect((await a.call('net_peerCount')).result).toBe('0x1')
    expect((await a.call('admin_addTrustedPeer', [b.enode])).result).toBe(true)
    expect((await a.call('admin_peers')).result).toMatchObject([{ network: { trusted: true } }])
    expect((await a.call('admin_removeTrustedPeer', [b.enode])).result).toBe(true)
    expect((await a.call('admin_removePeer', [b.enode])).result).toBe(true)
    await a.app.waitFor('peer dropped', (l) => l.peer === short(b.enode))
    expect((await a.call('net_peerCount')).result).toBe('0x0')

    // The health endpoints stay on the same port.
    expect((await fetch(`${a.url}healthz`)).status).toBe(200)
  })

  it('answers bad requests with JSON-RPC 2.0 errors, batches, and enforces the limits', async () => {
    const a = await rpcNode('a', '--nodiscover')
    const err = (code: number, id: unknown = null) => ({
      jsonrpc: '2.0',
      id,
      error: expect.objectContaining({ code }),
    })
    expect((await a.post('{"jsonrpc":')).body).toEqual(err(-32700))
    expect((await a.post('{"id":1,"method":"net_version"}')).body).toEqual(err(-32600, 1))
    expect((await a.post('42')).body).toEqual(err(-32600))
    expect(await a.call('eth_nope')).toEqual(err(-32601, 7))
    expect(await a.call('admin_addPeer')).toEqual(err(-32602, 7))
    expect(await a.call('admin_addPeer', [1])).toEqual(err(-32602, 7))
    expect(await a.call('net_version', ['x'])).toEqual(err(-32602, 7))
    const bad = await a.call('admin_addPeer', ['enode://nope'])
    expect(bad.error?.code).toBe(-32000)
    expect(bad.error?.message).toMatch(/^invalid enode: /)

    // A batch: one answer per call, none for a notification; an empty batch is invalid.
    const batch = await a.post(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'net_version' },
        { jsonrpc: '2.0', method: 'net_version' },
        { jsonrpc: '2.0', id: 'x', method: 'nope' },
        5,
      ]),
    )
    expect(batch.body).toEqual([
      { jsonrpc: '2.0', id: 1, result: String(devnetNetworkId) },
      err(-32601, 'x'),
      err(-32600),
    ])
    expect((await a.post('[]')).body).toEqual(err(-32600))
    const notification = await a.post('{"jsonrpc":"2.0","method":"net_version"}')
    expect(notification).toEqual({ status: 200, body: undefined })
    const many = Array.from({ length: 1001 }, (_, i) => ({
      jsonrpc: '2.0',
      id: i,
      method: 'net_version',
    }))
    expect((await a.post(JSON.stringify(many))).body).toEqual({
      jsonrpc: '2.0',
      id: 0,
      error: { code: -32600, message: 'batch too large' },
    })
    // geth's 5 MiB body limit, and only application/json (no cross-site form posts).
    expect((await a.post(`"${'x'.repeat(5 * 1024 * 1024)}"`)).status).toBe(413)
    expect((await a.post('{}', 'text/plain')).status).toBe(415)
    expect((await fetch(a.url)).status).toBe(405)
  })

  it('leaves RPC off with only --http.port (health endpoints as before)', async () => {
    const n = await start('a', '--nodiscover', '--http.port', '0')
    const l = await n.app.waitFor('health endpoints listening')
    const res = await fetch(`http://${l.host}:${l.port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"net_version"}',
    })
    expect(res.status).toBe(405)
  })
})
