import { toHex } from '@x/core'
import { DisconnectReason, type ProtocolPeer } from '@x/p2p'

/** A ProtocolPeer for tests: records disconnects and aborts its signal on disconnect. */
export interface FakePeer extends ProtocolPeer {
  readonly disconnects: DisconnectReason[]
  readonly controller: AbortController
}

export function fakePeer(
  idByte: number,
  options: { caps?: { name: string; version: number }[]; inbound?: boolean } = {},
): FakePeer {
  const id = new Uint8Array(64).fill(idByte)
  const controller = new AbortController()
  const disconnects: DisconnectReason[] = []
  return {
    id,
    idHex: toHex(id),
    clientId: `fake/${idByte}`,
    caps: options.caps ?? [{ name: 'ping', version: 1 }],
    remoteAddress: { ip: '127.0.0.1', port: 30300 + idByte },
    inbound: options.inbound ?? false,
    signal: controller.signal,
    disconnects,
    controller,
    disconnect(reason: DisconnectReason) {
      disconnects.push(reason)
      if (!controller.signal.aborted) controller.abort(reason)
    },
  }
}

export { DisconnectReason }
