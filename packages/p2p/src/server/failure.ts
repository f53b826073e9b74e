import { DisconnectReason } from '../errors.js'
import type { ServerEvents } from './options.js'

/**
 * Why a connection did not become a peer, in go-ethereum's meter names (`p2p/dials/error/<kind>`,
 * `p2p/serves/error/<kind>`, its `markDialError`): a Disconnect reason sent or received first,
 * else the setup stage that failed; `connection` is a TCP connect that failed.
 */
export type ConnFailureKind =
  | 'saturated'
  | 'known'
  | 'self'
  | 'useless'
  | 'id/unexpected'
  | 'connection'
  | 'rlpx/enc'
  | 'rlpx/proto'
  | 'other'

const byReason: Partial<Record<DisconnectReason, ConnFailureKind>> = {
  [DisconnectReason.TooManyPeers]: 'saturated',
  [DisconnectReason.AlreadyConnected]: 'known',
  [DisconnectReason.ConnectedToSelf]: 'self',
  [DisconnectReason.UselessPeer]: 'useless',
  [DisconnectReason.UnexpectedIdentity]: 'id/unexpected',
}

/** Socket errors of a connect that never reached the remote (node:net `code`s). */
const connectCodes = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ERR_CONNECTION_REFUSED',
])

/** Classifies a `conn:failed` event; every event maps to one kind. */
export function connFailureKind(e: ServerEvents['conn:failed']): ConnFailureKind {
  const known = e.reason === undefined ? undefined : byReason[e.reason]
  if (known) return known
  if (e.stage === 'enc') {
    const code = (e.error as { code?: unknown } | null)?.code
    return typeof code === 'string' && connectCodes.has(code) ? 'connection' : 'rlpx/enc'
  }
  return e.stage === 'proto' ? 'rlpx/proto' : 'other'
}
