import { parseEnode } from '@x/discover'
import { describe, expect, it, vi } from 'vitest'
import { type App, appFixture } from './harness.js'

// `--metrics`: the Prometheus text of a node-app with a peer, scraped while values move.

const apps = appFixture()

let seq = 0
async function start(...args: string[]): Promise<{ app: App; enode: string; id: string }> {
  const app = apps.spawn(`n${seq++}`, ...args)
  const enode = String((await app.waitFor('node started')).enode)
  return { app, enode, id: parseEnode(enode).idHex }
}

/** Samples of a Prometheus text: `name{labels}` → value. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const cut = line.lastIndexOf(' ')
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)))
  }
  return out
}

/** The sum of the samples of `name` (any labels; those containing `label` if given). */
function total(m: Map<string, number>, name: string, label = ''): number {
  let sum = 0
  for (const [k, v] of m) {
    if ((k === name || k.startsWith(`${name}{`)) && k.includes(label)) sum += v
  }
  return sum
}

describe('node-app --metrics', () => {
  it('serves go-ethereum p2p metrics that move with a peer', async () => {
    const b = await start('--network', 'devnet', '--metrics.port', '0')
    const url = String((await b.app.waitFor('metrics endpoint listening')).url)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    const scrape = async () => {
      const res = await fetch(url)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toContain('text/plain')
      return parse(await res.text())
    }
    // Alone: no peer, no traffic yet.
    const before = await scrape()
    expect(before.get('p2p_peers')).toBe(0)
    expect(total(before, 'p2p_ingress')).toBe(0)
    expect(before.get('discover_table_size')).toBe(0)
    expect(before.has('p2p_ping_rtt_seconds_count{source="ping/1"}')).toBe(false)

    // A finds B through discovery (B is its bootnode) and dials it.
    const a = await start('--network', 'devnet', '--bootnodes', b.enode)
    await b.app.waitFor('peer added', (l) => l.peer === a.id.slice(0, 16))
    await b.app.waitFor('eth peer registered', (l) => l.peer === a.id.slice(0, 16))
    const first = await scrape()
    expect(first.get('p2p_peers')).toBe(1)
    expect(first.get('p2p_peers_inbound')).toBe(1)
    expect(first.get('p2p_serves_success')).toBe(1)
    expect(first.get('p2p_handshake_seconds_count{stage="enc",direction="inbound"}')).toBe(1)
    // eth Status (code 0) each way, with its bytes.
    expect(first.get('p2p_egress_packets{protocol="eth",code="0"}')).toBe(1)
    expect(first.get('p2p_ingress_packets{protocol="eth",code="0"}')).toBe(1)
    expect(first.get('p2p_ingress{protocol="eth",code="0"}')).toBeGreaterThan(50)
    expect(total(first, 'discover_egress_packets')).toBeGreaterThan(0)
    expect(first.get('discover_ingress_packets{type="ping"}')).toBeGreaterThanOrEqual(1)
    expect(first.get('discover_ingress')).toBeGreaterThan(0)
    expect(first.has('heartbeat_sends{result="ok"}')).toBe(true)
    expect(first.has('nodejs_eventloop_lag_p99_seconds')).toBe(true)
    expect(first.has('process_cpu_user_seconds_total')).toBe(true)

    // ping/1 runs at once on a new peer: its RTT.
    await vi.waitFor(
      async () =>
        expect((await scrape()).get('p2p_ping_rtt_seconds_count{source="ping/1"}')).toBeGreaterThan(
          0,
        ),
      { timeout: 10_000, interval: 50 },
    )
    const later = await scrape()
    expect(later.get('p2p_ping_rtt_seconds_sum{source="ping/1"}')).toBeGreaterThan(0)
    expect(total(later, 'p2p_ingress_packets', 'protocol="ping"')).toBeGreaterThan(0)
    expect(total(later, 'p2p_egress_packets', 'protocol="ping"')).toBeGreaterThan(0)

    // The peer leaves: the gauge follows; geth's path answers the same text.
    expect(await a.app.stop('SIGTERM')).toBe(0)
    await b.app.waitFor('peer dropped')
    const gone = parse(
      await (await fetch(url.replace('/metrics', '/debug/metrics/prometheus'))).text(),
    )
    expect(gone.get('p2p_peers')).toBe(0)
    expect((await fetch(url.replace('/metrics', '/nope'))).status).toBe(404)
    expect(await b.app.stop('SIGTERM')).toBe(0)
  })
})
