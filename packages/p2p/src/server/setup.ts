import { type Clock, type Logger, toHex } from '@x/core'
import type { Node } from '@x/discover'
import type { DialKind } from '../dial/options.js'
import {
  DisconnectError,
  DisconnectReason,
  disconnectReasonText,
  RemoteDisconnectError,
} from '../errors.js'
import type { Hello } from '../hello.js'
import type { Transport } from '../message.js'
import { matchProtocols } from '../peer/caps.js'
import { protoHandshake } from '../peer/handshake.js'
import type { Protocol } from '../protocol.js'
import { rejectConn } from './conn.js'
import type { ServerEvents, SetupStage } from './options.js'

/** A connection in setup: who opened it, from or to where, and for a dial whom and why. */
export interface ConnInfo {
  inbound: boolean
  remoteAddress: { ip: string; port: number }
  dest?: Node
  kind?: DialKind
}

/** What connection setup needs from the server. */
export interface SetupContext {
  /** Aborts when the server stops. */
  signal: AbortSignal
  clock: Clock
  log: Logger
  protocols: readonly Protocol[]
  helloTimeout: number
  /** Our hello, built when it is sent. */
  hello(): Hello
  /**
   * go-ethereum's `checkpoint`, run after the encryption handshake and again after the hello:
   * why `idHex` may not become a peer now, or undefined.
   */
  checkpoint(idHex: string, inbound: boolean): DisconnectReason | undefined
  /** Every step passed: run the peer. */
  launch(transport: Transport, hello: Hello): void
  /** A step failed (the server's `conn:failed`). */
  failed(event: ServerEvents['conn:failed']): void
  /** Both handshakes passed (the server's `conn:handshake`). */
  handshake(event: ServerEvents['conn:handshake']): void
}

/**
 * Sets up a connection (go-ethereum's `setupConn`): the encryption handshake (`connect`), the
 * dialed identity and the first checkpoint, the hello, then `postHandshakeChecks` (a protocol in
 * common) and the checkpoint again. A refused connection is told why (Disconnect) and closed;
 * what failed is reported through `failed` and thrown.
 */
export async function setupConn(
  ctx: SetupContext,
  c: ConnInfo,
  connect: (signal: AbortSignal) => Promise<Transport>,
): Promise<void> {
  const signal = ctx.signal
  let idHex: string | undefined
  let stage: SetupStage = 'enc'
  const started = ctx.clock.now()
  try {
    const transport = await connect(signal)
    const encrypted = ctx.clock.now()
    const id = transport.remoteId
    idHex = toHex(id)
    const fail = async (reason: DisconnectReason, why: string): Promise<never> => {
      await rejectConn(ctx.clock, transport, reason)
      throw new DisconnectError(reason, why)
    }
    // Stopped meanwhile: tell the remote why (it may already count us as its peer).
    const quitting = () =>
      signal.aborted ? fail(DisconnectReason.ClientQuitting, 'server stopped') : undefined
    await quitting()
    if (c.dest && c.dest.idHex !== idHex) {
      await fail(DisconnectReason.UnexpectedIdentity, 'dialed node answered with another key')
    }
    const early = ctx.checkpoint(idHex, c.inbound)
    if (early !== undefined) await fail(early, disconnectReasonText[early])
    let hello: Hello
    stage = 'proto'
    try {
      hello = await protoHandshake(transport, ctx.hello(), {
        signal,
        clock: ctx.clock,
        timeout: ctx.helloTimeout,
      })
    } catch (err) {
      await quitting()
      transport.close()
      throw err
    }
    stage = 'checks'
    ctx.handshake({
      inbound: c.inbound,
      encMs: encrypted - started,
      protoMs: ctx.clock.now() - encrypted,
    })
    await quitting()
    if (ctx.protocols.length > 0 && matchProtocols(ctx.protocols, hello.caps).length === 0) {
      await fail(DisconnectReason.UselessPeer, 'no matching protocol')
    }
    const late = ctx.checkpoint(idHex, c.inbound)
    if (late !== undefined) await fail(late, disconnectReasonText[late])
    ctx.launch(transport, hello)
  } catch (error) {
    // The reason sent (we refused the remote) or received (it refused us), if any.
    const reason =
      error instanceof DisconnectError || error instanceof RemoteDisconnectError
        ? error.reason
        : undefined
    ctx.log.debug('connection failed', {
      inbound: c.inbound,
      addr: `${c.remoteAddress.ip}:${c.remoteAddress.port}`,
      err: String(error),
    })
    ctx.failed({
      inbound: c.inbound,
      remoteAddress: c.remoteAddress,
      ...(idHex === undefined ? {} : { id: idHex }),
      ...(reason === undefined ? {} : { reason }),
      stage,
      error,
    })
    throw error
  }
}
