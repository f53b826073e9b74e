import type { RlpxHandshaker } from '../src/index.js'
import * as p2p from '../src/index.js'

/**
 * The RLPx handshaker when `rlpxConnect`/`rlpxAccept` are exported (the rlpx module, built on
 * another branch), else undefined: the real-socket RLPx tests skip themselves until it lands.
 */
export function rlpxHandshaker(): RlpxHandshaker | undefined {
  const mod = p2p as unknown as Record<string, unknown>
  const connect = mod.rlpxConnect
  const accept = mod.rlpxAccept
  if (typeof connect !== 'function' || typeof accept !== 'function') return undefined
  return {
    connect: connect as RlpxHandshaker['connect'],
    accept: accept as RlpxHandshaker['accept'],
  }
}
