import { parseEnode } from '@x/discover'
import type { Server } from '@x/p2p'
import { RpcError, type RpcMethod, rpcErrorCodes } from './jsonrpc.js'

/** What the admin, net and web3 methods read. */
export interface RpcNode {
  server: Server
  /** The eth network id (`net_version`). */
  networkId: bigint
  clientVersion: string
}

function urlParam(params: unknown[]): string {
  const url = params[0]
  if (url === undefined) {
    throw new RpcError(rpcErrorCodes.invalidParams, 'missing value for required argument 0')
  }
  if (typeof url !== 'string') {
    throw new RpcError(rpcErrorCodes.invalidParams, 'invalid argument 0: want an enode URL string')
  }
  return url
}

/** An `enode://` URL as geth's admin methods take it; `invalid enode: …` otherwise. */
function enodeParam(params: unknown[]) {
  const url = urlParam(params)
  try {
    return parseEnode(url)
  } catch (err) {
    throw new RpcError(rpcErrorCodes.server, `invalid enode: ${(err as Error).message}`)
  }
}

/** Runs a server change; a refused one (a full static or trusted set) is the method's error. */
function change(run: () => void): true {
  try {
    run()
  } catch (err) {
    throw new RpcError(rpcErrorCodes.server, (err as Error).message)
  }
  return true
}

/**
 * go-ethereum's `admin_*` (node/api.go), `net_*` and `web3_clientVersion` (internal/ethapi,
 * node/api.go) with its names, parameters and result shapes. `running()` gives the node while it
 * runs; otherwise every method fails as geth's do with `ErrNodeStopped`.
 */
export function adminMethods(running: () => RpcNode | undefined): Record<string, RpcMethod> {
  const get = (): RpcNode => {
    const node = running()
    if (!node) throw new RpcError(rpcErrorCodes.server, 'node not started')
    return node
  }
  const server = { get: () => get().server }
  return {
    admin_nodeInfo: { params: 0, call: () => server.get().nodeInfo() },
    admin_peers: { params: 0, call: () => server.get().peersInfo() },
    admin_addPeer: {
      params: 1,
      call: (p) => {
        const n = enodeParam(p)
        return change(() => server.get().addPeer(n))
      },
    },
    admin_removePeer: {
      params: 1,
      call: (p) => {
        const n = enodeParam(p)
        return change(() => server.get().removePeer(n))
      },
    },
    admin_addTrustedPeer: {
      params: 1,
      call: (p) => {
        const n = enodeParam(p)
        return change(() => server.get().addTrustedPeer(n))
      },
    },
    admin_removeTrustedPeer: {
      params: 1,
      call: (p) => {
        const n = enodeParam(p)
        return change(() => server.get().removeTrustedPeer(n))
      },
    },
    // hexutil.Uint, as geth.
    net_peerCount: { params: 0, call: () => `0x${server.get().peerCount().toString(16)}` },
    net_listening: { params: 0, call: () => server.get().running },
    net_version: { params: 0, call: () => get().networkId.toString() },
    web3_clientVersion: { params: 0, call: () => get().clientVersion },
  }
}
