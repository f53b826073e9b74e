import { RlpError } from '@x/core'
import {
  DisconnectError,
  DisconnectReason,
  HelloError,
  InvalidMsgCodeError,
  RemoteDisconnectError,
} from '../errors.js'

/**
 * The one mapping from an error that ends a peer to the Disconnect reason we send (go-ethereum's
 * `discReasonForError`, used by `Peer.run`): an explicit {@link DisconnectError} keeps its reason, malformed messages and
 * invalid codes are a breach of protocol, anything else a protocol throws is a subprotocol
 * error. (A protocol's `run` that returns normally ends the peer with `ClientQuitting`, as
 * `Protocol` documents; link errors end it with `TcpError` and send nothing — see the peer.)
 */
export function disconnectReasonForError(err: unknown): DisconnectReason {
  if (err instanceof DisconnectError || err instanceof RemoteDisconnectError) return err.reason
  if (err instanceof InvalidMsgCodeError || err instanceof RlpError || err instanceof HelloError) {
    return DisconnectReason.BreachOfProtocol
  }
  return DisconnectReason.SubprotocolError
}
