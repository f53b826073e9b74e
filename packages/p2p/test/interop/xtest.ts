import { decodeRlp, encodeRlp, equalBytes, type RlpItem } from '@x/core'
import * as snappy from 'snappyjs'
import { expectMsg, type MsgReadWriter, type Protocol, type ProtocolPeer } from '../../src/index.js'

/**
 * A shared test capability, `xtest/1` with 2 codes: 0 = Ping [nonce], 1 = Pong [nonce]. Each
 * side answers every Ping with a Pong carrying the same nonce.
 */
export const xtestName = 'xtest'
export const xtestVersion = 1
export const xtestLength = 2

/** Our side: runs `rounds` Ping→Pong exchanges, answering the remote's Pings meanwhile. */
export function ourXtest(rounds: number, done: (ok: number) => void): Protocol {
  return {
    name: xtestName,
    version: xtestVersion,
    length: xtestLength,
    async run(_peer: ProtocolPeer, rw: MsgReadWriter, signal: AbortSignal) {
      let ok = 0
      let waiting: ((nonce: Uint8Array) => void) | undefined
      const reader = (async () => {
        while (!signal.aborted) {
          const msg = await rw.readMsg()
          const [nonce] = decodeRlp(msg.payload) as RlpItem[]
          if (msg.code === 0) await rw.writeMsg(1, encodeRlp([nonce as Uint8Array]))
          else if (msg.code === 1) waiting?.(nonce as Uint8Array)
        }
      })()
      reader.catch(() => {})
      for (let i = 0; i < rounds; i++) {
        const nonce = crypto.getRandomValues(new Uint8Array(8))
        const got = new Promise<Uint8Array>((resolve) => {
          waiting = resolve
        })
        await rw.writeMsg(0, encodeRlp([nonce]))
        const echoed = await got
        if (equalBytes(echoed, nonce)) ok++
      }
      done(ok)
      await reader
    },
  }
}

interface EjsPeer {
  _hello: { protocolVersion: number } | null
}

/** The ethereumjs side of xtest: answers Pings, counts Pongs, can ping. */
export class EjsXtest {
  pongs = 0
  pings = 0
  readonly #send: (code: number, data: Uint8Array) => void
  readonly #peer: EjsPeer

  constructor(_version: number, peer: EjsPeer, send: (code: number, data: Uint8Array) => void) {
    this.#peer = peer
    this.#send = send
  }

  #out(code: number, nonce: Uint8Array): void {
    let data = encodeRlp([nonce])
    if ((this.#peer._hello?.protocolVersion ?? 0) >= 5) data = snappy.compress(data)
    this.#send(code, data)
  }

  ping(): void {
    this.#out(0, crypto.getRandomValues(new Uint8Array(8)))
  }

  _handleMessage(code: number, payload: Uint8Array): void {
    const [nonce] = decodeRlp(payload) as RlpItem[]
    if (code === 0) {
      this.pings++
      this.#out(1, nonce as Uint8Array)
    } else if (code === 1) {
      this.pongs++
    }
  }
}

export const ejsXtestCap = {
  name: xtestName,
  version: xtestVersion,
  length: xtestLength,
  constructor: EjsXtest,
}

export { expectMsg }
