import type { RlpxHandshaker } from '@x/p2p'
import * as p2p from '@x/p2p'

/**
 * The RLPx handshaker when @x/p2p exports `rlpxConnect`/`rlpxAccept` (built on another branch),
 * else undefined: the real-socket interop tests skip themselves until it lands.
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
