// ethereumjs's RLPx session (its `ECIES` class, which its Peer uses for handshake and frames),
// driven the way its Peer drives it, for side-by-side benchmarks.
import type { Socket } from 'node:net'
import { ECIES } from '@ethereumjs/devp2p'
import { concatBytes, encodeRlp } from '@x/core'
import { generatePrivateKey, nodeIdFromPrivateKey } from '@x/discover'

type Internals = { _gotEIP8Auth: boolean; _gotEIP8Ack: boolean }

/** Two ECIES sessions that completed an EIP-8 handshake in memory: a → b. */
export function ejsPair(): { a: ECIES; b: ECIES } {
  const ka = generatePrivateKey()
  const kb = generatePrivateKey()
  const ida = nodeIdFromPrivateKey(ka)
  const idb = nodeIdFromPrivateKey(kb)
  const a = new ECIES(ka, ida, idb)
  const b = new ECIES(kb, idb, null as unknown as Uint8Array)
  const auth = a.createAuthEIP8() as Uint8Array
  ;(b as unknown as Internals)._gotEIP8Auth = true
  b.parseAuthEIP8(auth)
  const ack = b.createAckEIP8() as Uint8Array
  ;(a as unknown as Internals)._gotEIP8Ack = true
  a.parseAckEIP8(ack)
  return { a, b }
}

/** Frames one message as its Peer's `_sendMessage`: header and body, two writes. */
export function ejsFrame(e: ECIES, code: number, data: Uint8Array): [Uint8Array, Uint8Array] {
  const msg = concatBytes(encodeRlp(code), data)
  return [e.createBlockHeader(msg.length) as Uint8Array, e.createBody(msg) as Uint8Array]
}

/**
 * Its Peer's receive path: appends every chunk to one buffer, then parses header and body
 * (`_onSocketData`/`_handleHeader`/`_handleBody`). Calls `onMsg` with each frame's content.
 */
export function ejsReceiver(e: ECIES, socket: Socket, onMsg: (content: Uint8Array) => void): void {
  let data = new Uint8Array(0)
  let next = 32
  let header = true
  socket.on('data', (chunk: Uint8Array) => {
    const joined = new Uint8Array(data.length + chunk.length)
    joined.set(data)
    joined.set(chunk, data.length)
    data = joined
    while (data.length >= next) {
      if (header) {
        const size = e.parseHeader(data.subarray(0, 32)) as number
        data = data.subarray(32)
        next = Math.ceil(size / 16) * 16 + 16
        header = false
      } else {
        const body = e.parseBody(data.subarray(0, next)) as Uint8Array
        data = data.subarray(next)
        next = 32
        header = true
        onMsg(body)
      }
    }
  })
}
