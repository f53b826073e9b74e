import type { Protocol } from '@x/p2p'
import { EthHandler, type EthHandlerOptions } from './handler.js'

/**
 * The eth protocols for the p2p server, one per version (eth/72 to eth/69 by default):
 * `new Server({ protocols: ethProtocols({ backend, chain }) })`. Use {@link EthHandler}
 * directly to also reach the peer set and the broadcast functions.
 */
export function ethProtocols(options: EthHandlerOptions): Protocol[] {
  return new EthHandler(options).protocols
}
