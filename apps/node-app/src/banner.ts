import { toHex } from '@x/core'
import { forkIdAt } from '@x/eth'
import { hostPort } from '@x/p2p'
import type { NodeConfig } from './config.js'
import type { RunningNode } from './node.js'

/** How often the status line is printed (go-ethereum's "Looking for peers" cadence is 30 s too). */
export const statusInterval = 30_000

const hex = (b: Uint8Array) => `0x${toHex(b)}`

/** What an operator wants first: who the node is, where it listens, which chain, what it serves. */
export function bannerText(node: RunningNode, config: NodeConfig): string {
  const { server, eth, health } = node
  const head = eth.backend.chain.head()
  const fork = forkIdAt(eth.chain, head.number, head.time)
  const d = server.discovery
  const tcp = server.listenAddress
  const rows: [string, string][] = [
    ['enode', node.enode],
    ...(d ? [['ENR', d.udp.enr.toText()] as [string, string]] : []),
    [
      'listening',
      `${tcp ? `tcp ${hostPort(tcp)}` : 'tcp —'}${d ? `, udp ${hostPort({ ip: tcp?.ip ?? config.addr ?? '::', port: d.self.udp })}` : ', no discovery'}`,
    ],
    ['network', `${eth.chain.name} (network id ${eth.networkId})`],
    ['fork id', `0x${fork.hash.toString(16).padStart(8, '0')} next ${fork.next}`],
    ['data dir', config.datadir],
  ]
  const http = health.http?.address
  if (http)
    rows.push(['health', `http://${http.host}:${http.port}/healthz /readyz /health/peers /node`])
  const width = Math.max(...rows.map(([k]) => k.length))
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`
}

/** Peers in/out, table size and head: one line. */
export function statusText(node: RunningNode): string {
  const peers = node.server.peers()
  const inbound = peers.filter((p) => p.inbound).length
  const head = node.eth.backend.chain.head()
  const table = node.server.discovery?.table.size
  return `status  peers ${peers.length} (in ${inbound}, out ${peers.length - inbound})${
    table === undefined ? '' : `  table ${table}`
  }  head #${head.number} ${hex(head.hash).slice(0, 14)}…\n`
}

/**
 * The start-up banner, then the status line every {@link statusInterval}, on standard output
 * when it is a terminal (main checks: a pipe gets the log lines only).
 */
export function startBanner(
  node: RunningNode,
  config: NodeConfig,
  write: (text: string) => void = (t) => process.stdout.write(t),
): { stop(): void } {
  write(bannerText(node, config))
  const timer = setInterval(() => write(statusText(node)), statusInterval)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
