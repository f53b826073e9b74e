import { encodeRlp, type RlpInput, toHex } from '@x/core'
import { UnexpectedMsgError } from './errors.js'
import type { Msg, MsgReader } from './message.js'

/**
 * Reads one message and checks its code and, when `content` is given, that its payload is the
 * RLP encoding of `content` (go-ethereum's `p2p.ExpectMsg`). Resolves with the message.
 */
export async function expectMsg(r: MsgReader, code: number, content?: RlpInput): Promise<Msg> {
  const msg = await r.readMsg()
  if (msg.code !== code) {
    throw new UnexpectedMsgError(`expected message code ${code}, got ${msg.code}`)
  }
  if (content !== undefined) {
    const want = encodeRlp(content)
    if (toHex(want) !== toHex(msg.payload)) {
      throw new UnexpectedMsgError(
        `message ${code} payload mismatch: want ${toHex(want)}, got ${toHex(msg.payload)}`,
      )
    }
  }
  return msg
}
