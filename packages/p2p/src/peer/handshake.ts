import { type Clock, equalBytes, systemClock, TimeoutError } from '@x/core'
import { DisconnectError, DisconnectReason, HelloError, RemoteDisconnectError } from '../errors.js'
import {
  baseProtocolVersion,
  decodeDisconnect,
  decodeHello,
  disconnectCode,
  encodeDisconnect,
  encodeHello,
  type Hello,
  helloCode,
} from '../hello.js'
import type { Transport } from '../message.js'

/** How long the hello exchange may take (go-ethereum's handshakeTimeout). */
export const helloTimeout = 5_000

export interface ProtoHandshakeOptions {
  signal?: AbortSignal
  /** Milliseconds for the whole exchange (default {@link helloTimeout}). */
  timeout?: number
  clock?: Clock
}

async function readHello(transport: Transport): Promise<Hello> {
  const msg = await transport.readMsg()
  if (msg.code === disconnectCode) throw new RemoteDisconnectError(decodeDisconnect(msg.payload))
  if (msg.code !== helloCode) {
    throw new DisconnectError(
      DisconnectReason.BreachOfProtocol,
      `expected hello, got message code ${msg.code}`,
    )
  }
  try {
    return decodeHello(msg.payload)
  } catch (err) {
    if (err instanceof HelloError) {
      throw new DisconnectError(DisconnectReason.BreachOfProtocol, err.message, { cause: err })
    }
    throw err
  }
}

/**
 * The devp2p hello exchange over an authenticated transport (go-ethereum's `doProtoHandshake`):
 * sends `ours`, reads the remote's Hello and checks that its node ID is the key RLPx
 * authenticated. Turns snappy on when the remote speaks version ≥ 5. Resolves with the remote's
 * Hello.
 *
 * Rejects with {@link RemoteDisconnectError} when the remote sent a Disconnect instead, with
 * {@link DisconnectError} when we reject the remote (a Disconnect with that reason has been sent,
 * best effort), with {@link TimeoutError} after `timeout`, with the signal's reason when aborted,
 * or with the transport's error. It never closes the transport: on rejection, the caller does.
 */
export async function protoHandshake(
  transport: Transport,
  ours: Hello,
  options: ProtoHandshakeOptions = {},
): Promise<Hello> {
  const clock = options.clock ?? systemClock
  const timeout = options.timeout ?? helloTimeout
  const signal = options.signal
  signal?.throwIfAborted()

  let timer: ReturnType<Clock['setTimeout']> | undefined
  let onAbort: (() => void) | undefined
  const stop = new Promise<never>((_, reject) => {
    timer = clock.setTimeout(
      () => reject(new TimeoutError(`hello exchange timed out after ${timeout} ms`)),
      timeout,
    )
    onAbort = () => reject(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
  const write = transport.writeMsg(helloCode, encodeHello(ours))
  const read = readHello(transport)
  // Whichever loses the race must not surface as an unhandled rejection.
  write.catch(() => {})
  read.catch(() => {})
  stop.catch(() => {})
  try {
    const [, hello] = await Promise.race([Promise.all([write, read]), stop])
    // Snappy is on from here (go-ethereum's doProtoHandshake), so a Disconnect for a bad
    // identity goes out compressed, as the remote now expects.
    if (hello.version >= baseProtocolVersion && ours.version >= baseProtocolVersion) {
      transport.setSnappy(true)
    }
    if (!equalBytes(hello.id, transport.remoteId)) {
      throw new DisconnectError(
        DisconnectReason.UnexpectedIdentity,
        'hello node ID differs from the RLPx-authenticated key',
      )
    }
    return hello
  } catch (err) {
    if (err instanceof DisconnectError) {
      await Promise.race([
        transport.writeMsg(disconnectCode, encodeDisconnect(err.reason)).catch(() => {}),
        stop.catch(() => {}),
      ])
    }
    throw err
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer)
    if (onAbort) signal?.removeEventListener('abort', onAbort)
  }
}
