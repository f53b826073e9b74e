import { type Clock, equalBytes, systemClock, toHex } from '@x/core'
import { DisconnectError, DisconnectReason, type MsgReadWriter } from '@x/p2p'
import { decodeMsg, EthError } from './errors.js'
import type { ForkFilter, ForkId } from './forkid.js'
import { type EthVersion, MsgCode, maxMessageSize } from './messages/codes.js'
import {
  type BlockRange,
  decodeStatus,
  encodeStatus,
  type Status,
  validateBlockRange,
} from './messages/status.js'

/** How long the remote has to send its Status (go-ethereum's `handshakeTimeout`). */
export const statusTimeout = 5_000

/** Our side of the handshake. */
export interface HandshakeOptions {
  version: EthVersion
  networkId: bigint
  genesis: Uint8Array
  forkId: ForkId
  /** Validates the remote's fork id (EIP-2124). */
  forkFilter: ForkFilter
  /** Our head, for eth/68: hash and total difficulty. */
  head: { hash: Uint8Array; td: bigint }
  /** Our block range, for eth/69 and later. */
  range: BlockRange
  clock?: Clock
  /** Default {@link statusTimeout}. */
  timeout?: number
  signal?: AbortSignal
}

/** Our Status message for `opts.version`. */
export function localStatus(opts: HandshakeOptions): Status {
  if (opts.version === 68) {
    return {
      version: 68,
      networkId: opts.networkId,
      td: opts.head.td,
      head: opts.head.hash,
      genesis: opts.genesis,
      forkId: opts.forkId,
    }
  }
  return {
    version: opts.version,
    networkId: opts.networkId,
    genesis: opts.genesis,
    forkId: opts.forkId,
    ...opts.range,
  }
}

/** Ends the peer as go-ethereum does for a failed handshake: a subprotocol error. */
function reject(code: ConstructorParameters<typeof EthError>[0], message: string, cause?: unknown) {
  const err = new EthError(code, message, { cause })
  return new DisconnectError(DisconnectReason.SubprotocolError, message, { cause: err })
}

/** Checks the remote Status against ours; throws a {@link DisconnectError} with the reason. */
export function checkStatus(remote: Status, opts: HandshakeOptions): void {
  if (remote.version !== opts.version) {
    throw reject(
      'ERR_PROTOCOL_VERSION_MISMATCH',
      `protocol version mismatch: ${remote.version} (!= ${opts.version})`,
    )
  }
  if (remote.networkId !== opts.networkId) {
    throw reject(
      'ERR_NETWORK_ID_MISMATCH',
      `network id mismatch: ${remote.networkId} (!= ${opts.networkId})`,
    )
  }
  if (!equalBytes(remote.genesis, opts.genesis)) {
    throw reject(
      'ERR_GENESIS_MISMATCH',
      `genesis mismatch: ${toHex(remote.genesis)} (!= ${toHex(opts.genesis)})`,
    )
  }
  const rejection = opts.forkFilter(remote.forkId)
  if (rejection !== undefined) {
    throw reject(
      'ERR_FORKID_REJECTED',
      `fork id rejected (${rejection}): ${remote.forkId.hash.toString(16)}/${remote.forkId.next}`,
      new EthError(rejection, rejection),
    )
  }
  if (remote.version !== 68) {
    try {
      validateBlockRange(remote)
    } catch (err) {
      throw reject('ERR_INVALID_BLOCK_RANGE', (err as Error).message, err)
    }
  }
}

/**
 * The eth Status exchange (go-ethereum's `Peer.Handshake`): sends our Status and reads the
 * remote's at the same time, within `timeout`. Resolves with the remote Status; every failure is
 * a {@link DisconnectError}, with go-ethereum's reasons: `ReadTimeout` when the remote is
 * silent, `BreachOfProtocol` for a Status that does not decode (`Msg.Decode`'s
 * `errInvalidMsg`), `SubprotocolError` (with an {@link EthError} cause naming the mismatch)
 * for anything else wrong in what it sent.
 */
export async function handshake(rw: MsgReadWriter, opts: HandshakeOptions): Promise<Status> {
  const clock = opts.clock ?? systemClock
  const timeout = opts.timeout ?? statusTimeout
  opts.signal?.throwIfAborted()
  let timer: ReturnType<Clock['setTimeout']> | undefined
  let onAbort: (() => void) | undefined
  const deadline = new Promise<never>((_, rejectDeadline) => {
    timer = clock.setTimeout(
      () =>
        rejectDeadline(
          new DisconnectError(DisconnectReason.ReadTimeout, 'eth status timeout', {
            cause: new EthError('ERR_STATUS_TIMEOUT', `no status within ${timeout} ms`),
          }),
        ),
      timeout,
    )
    onAbort = () => rejectDeadline(opts.signal?.reason)
    opts.signal?.addEventListener('abort', onAbort, { once: true })
  })
  const read = (async () => {
    const msg = await rw.readMsg()
    if (msg.code !== MsgCode.Status) {
      throw reject('ERR_NO_STATUS_MSG', `first message has code ${msg.code} (!= ${MsgCode.Status})`)
    }
    if (msg.size > maxMessageSize) {
      throw reject('ERR_MSG_TOO_LARGE', `status of ${msg.size} bytes exceeds ${maxMessageSize}`)
    }
    const status = decodeMsg(msg.code, msg.payload, decodeStatus)
    checkStatus(status, opts)
    return status
  })()
  const write = rw.writeMsg(MsgCode.Status, encodeStatus(localStatus(opts)))
  try {
    const [status] = await Promise.race([Promise.all([read, write]), deadline])
    return status
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer)
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort)
    // Whichever lost the race must not surface as an unhandled rejection.
    read.catch(() => {})
    write.catch(() => {})
    deadline.catch(() => {})
  }
}
