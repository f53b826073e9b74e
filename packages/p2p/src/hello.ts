import {
  asBytes,
  asFixedBytes,
  asList,
  asString,
  asUint,
  decodeRlp,
  encodeRlp,
  RlpError,
} from '@x/core'
import type { NodeId } from '@x/discover'
import { DisconnectReason, HelloError } from './errors.js'

/**
 * The devp2p base protocol's own messages (rlpx.md "p2p Capability"): codes 0x00–0x03 of the
 * 16 reserved for it. Pure codecs; the peer layer runs them.
 */
export const baseProtocolLength = 16
export const helloCode = 0x00
export const disconnectCode = 0x01
export const pingCode = 0x02
export const pongCode = 0x03

/** The p2p version we speak; snappy is on when both sides say ≥ 5. */
export const baseProtocolVersion = 5
/** A Hello larger than this is rejected before decoding (go-ethereum: baseProtocolMaxMsgSize). */
export const maxHelloSize = 2 * 1024

/** A capability: a sub-protocol name and version, e.g. `eth/68`. */
export interface Cap {
  name: string
  version: number
}

export interface Hello {
  version: number
  clientId: string
  caps: Cap[]
  /** The TCP port the node listens on (0 if it does not listen). */
  listenPort: number
  /** 64-byte node ID; must equal the key authenticated by RLPx. */
  id: NodeId
}

/** The empty list: the payload of Ping and Pong. */
export const emptyListPayload: Uint8Array = Uint8Array.of(0xc0)

export function encodeHello(h: Hello): Uint8Array {
  return encodeRlp([
    h.version,
    h.clientId,
    h.caps.map((c) => [c.name, c.version]),
    h.listenPort,
    h.id,
  ])
}

/** Decodes a Hello; extra list elements (EIP-8) are ignored. Throws HelloError on a bad one. */
export function decodeHello(payload: Uint8Array): Hello {
  if (payload.length > maxHelloSize) {
    throw new HelloError(`hello of ${payload.length} bytes exceeds ${maxHelloSize}`)
  }
  try {
    const [version, clientId, caps, listenPort, id] = asList(decodeRlp(payload), 'hello')
    return {
      version: asUint(version, 'hello version'),
      clientId: asString(clientId, 'hello client id'),
      caps: asList(caps, 'hello caps').map((c) => {
        const [name, v] = asList(c, 'hello cap')
        return { name: asString(name, 'cap name'), version: asUint(v, 'cap version') }
      }),
      // go-ethereum reads the port as uint64 and never uses it; keep what fits a port.
      listenPort: asUint(listenPort, 'hello listen port') & 0xffff,
      id: asFixedBytes(id, 64, 'hello node id'),
    }
  } catch (err) {
    if (err instanceof RlpError) throw new HelloError(err.message, { cause: err })
    throw err
  }
}

export function encodeDisconnect(reason: DisconnectReason): Uint8Array {
  return encodeRlp([reason])
}

/**
 * Decodes a Disconnect's reason. Accepts `[reason]` and, from old clients, a bare integer;
 * an empty payload or empty list means "requested". An unreadable one is reported as a
 * breach of protocol rather than thrown: the peer is leaving anyway.
 */
export function decodeDisconnect(payload: Uint8Array): DisconnectReason {
  try {
    if (payload.length === 0) return DisconnectReason.Requested
    const item = decodeRlp(payload)
    const first = Array.isArray(item) ? item[0] : item
    if (first === undefined) return DisconnectReason.Requested
    const reason = asUint(asBytes(first, 'disconnect reason'), 'disconnect reason')
    return reason in DisconnectReason
      ? (reason as DisconnectReason)
      : DisconnectReason.BreachOfProtocol
  } catch {
    return DisconnectReason.BreachOfProtocol
  }
}
