import { join } from 'node:path'
import {
  formatEnode,
  type Logger,
  loadOrCreateNodeKey,
  Node,
  nodeIdFromPrivateKey,
  useFastCrypto,
} from '@x/discover'
import type { NodeConfig } from './config.js'

/** A running node: what it is and how to stop it. Later components are started here. */
export interface RunningNode {
  readonly self: Node
  readonly enode: string
  stop(): Promise<void>
}

/** Starts every component of the node in order; `stop()` closes them in reverse order. */
export async function startNode(config: NodeConfig, log: Logger): Promise<RunningNode> {
  const crypto = await useFastCrypto()
  log.debug('crypto backend', { backend: crypto.name })
  const keyPath = join(config.datadir, 'nodekey')
  const { key, created } = await loadOrCreateNodeKey(keyPath)
  if (created) log.info('created node key', { path: keyPath })
  const self = new Node({
    id: nodeIdFromPrivateKey(key),
    ip: config.extip,
    udp: config.discport,
    tcp: config.port,
  })
  const enode = formatEnode(self)
  log.info('node started', { enode, datadir: config.datadir, crypto: crypto.name })
  return {
    self,
    enode,
    async stop() {
      log.info('node stopped')
    },
  }
}
