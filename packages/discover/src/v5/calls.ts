import type { TimerHandle } from '@x/core'
import type { Enr } from '../enr/enr.js'
import type { Node } from '../node.js'
import type { UdpAddress } from '../udp/transport.js'
import type { Message, MessageName } from '../v5wire/messages.js'
import type { WhoareyouPacket } from '../v5wire/packet.js'

/** A request in flight (go-ethereum's callV5): sent or queued behind another to the same node. */
export interface Call {
  node: Node
  /** The node's discv5 ID (keccak256 of its public key) and its hex. */
  destId: Uint8Array
  destHex: string
  addr: UdpAddress
  message: Message
  reqIdHex: string
  responseType: MessageName
  /** Distances of a FINDNODE, to check the NODES records against. */
  distances: number[] | undefined
  /** Nonce (hex) of the last packet that carried the request. */
  nonceHex: string | undefined
  /** WHOAREYOUs answered for this call (one at most). */
  handshakes: number
  /** Timeouts retried (a lost packet that started a handshake is sent once more). */
  retries: number
  /** The WHOAREYOU to answer with the next send. */
  challenge: WhoareyouPacket | undefined
  /** NODES accumulation. */
  total: number | undefined
  received: number
  records: { enr: Enr; node: Node }[]
  seen: Set<string>
  timer: TimerHandle | undefined
  resolve(m: Message | { enr: Enr; node: Node }[]): void
  reject(e: unknown): void
}
