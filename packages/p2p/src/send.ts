import { encodeRlp, type RlpInput } from '@x/core'
import type { MsgWriter } from './message.js'

/** RLP-encodes `data` and writes it as message `code` (go-ethereum's `p2p.Send`). */
export function send(w: MsgWriter, code: number, data: RlpInput): Promise<void> {
  return w.writeMsg(code, encodeRlp(data))
}

/** Writes the list of `elems` as message `code` (go-ethereum's `p2p.SendItems`). */
export function sendItems(w: MsgWriter, code: number, ...elems: RlpInput[]): Promise<void> {
  return w.writeMsg(code, encodeRlp(elems))
}
