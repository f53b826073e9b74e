import { encodeBytes, encodeList, encodeUint } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { DisconnectReason, type MsgReadWriter, type Protocol } from '@x/p2p'
import { MemoryNetwork } from '@x/p2p/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  devnet,
  EthHandler,
  encodeBlockHeaders,
  encodeNewPooledTransactionHashes,
  encodeStatus,
  handshake,
  MsgCode,
  memoryBackend,
} from '../../src/index.js'
import { devnetHandshake, memoryServer, untilClock } from '../helpers.js'

/*
 * go-ethereum's disconnect reasons for a misbehaving eth peer, as the misbehaving side receives
 * them in the Disconnect message: a payload that does not decode is `Msg.Decode`'s
 * `errInvalidMsg`, which `discReasonForError` maps to DiscProtocolError (0x02); every other error
 * an eth handler returns (a code its version lacks, an unsolicited response, a check after the
 * decode, an item of a raw list that does not decode, a handshake mismatch) is a plain error,
 * mapped to DiscSubprotocolError (0x10).
 */

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})

const hash = (b: number) => new Uint8Array(32).fill(b)

/** What the misbehaving remote does once connected: `handshake` first unless told otherwise. */
interface Script {
  handshake: boolean
  send(rw: MsgReadWriter): Promise<void>
}

/**
 * Runs our eth/69 node and a remote whose "eth/69" is `script`; resolves with the reason the
 * remote received in our Disconnect.
 */
async function reasonReceived(script: Script): Promise<number> {
  const clock = new ManualClock()
  const net = new MemoryNetwork({ now: () => clock.now() })
  const backend = memoryBackend(devnet, { clock })
  const eth = new EthHandler({ backend, chain: devnet, versions: [69], clock })
  const ours = memoryServer(net, '10.0.0.1', clock, eth.protocols)
  const raw: Protocol = {
    name: 'eth',
    version: 69,
    length: 18,
    run: async (_peer, rw) => {
      if (script.handshake) await handshake(rw, devnetHandshake(69))
      await script.send(rw)
      // Hold the peer until our side disconnects it.
      for (;;) await rw.readMsg()
    },
  }
  const remote = memoryServer(net, '10.0.0.2', clock, [raw], [ours.node])
  const received: { reason: DisconnectReason; remote: boolean }[] = []
  remote.server.addEventListener('peer:removed', (e) =>
    received.push({ reason: e.detail.reason, remote: e.detail.remote }),
  )
  await ours.server.start()
  await remote.server.start()
  stops.push(async () => {
    eth.close()
    await remote.server.stop()
    await ours.server.stop()
  })
  await untilClock(clock, () => received.length > 0, 'disconnect')
  expect(received[0]?.remote).toBe(true)
  return received[0]?.reason as number
}

describe("disconnect reasons as go-ethereum's", () => {
  it('a GetBlockHeaders that does not decode: breach of protocol (0x02)', async () => {
    const reason = await reasonReceived({
      handshake: true,
      send: (rw) => rw.writeMsg(MsgCode.GetBlockHeaders, Uint8Array.of(0xc1, 0xff)),
    })
    expect(reason).toBe(DisconnectReason.BreachOfProtocol)
  })

  it('a Transactions message that is not RLP: breach of protocol (0x02)', async () => {
    const reason = await reasonReceived({
      handshake: true,
      send: (rw) => rw.writeMsg(MsgCode.Transactions, Uint8Array.of(0xc3, 0x01)),
    })
    expect(reason).toBe(DisconnectReason.BreachOfProtocol)
  })

  it('a Status that does not decode: breach of protocol (0x02)', async () => {
    const reason = await reasonReceived({
      handshake: false,
      send: (rw) => rw.writeMsg(MsgCode.Status, encodeList([encodeUint(69), encodeUint(1)])),
    })
    expect(reason).toBe(DisconnectReason.BreachOfProtocol)
  })

  it('a Status of another network: subprotocol error (0x10)', async () => {
    const status = { ...devnetHandshake(69), networkId: 1n }
    const reason = await reasonReceived({
      handshake: false,
      send: (rw) =>
        rw.writeMsg(
          MsgCode.Status,
          encodeStatus({
            version: 69,
            networkId: status.networkId,
            genesis: status.genesis,
            forkId: status.forkId,
            ...status.range,
          }),
        ),
    })
    expect(reason).toBe(DisconnectReason.SubprotocolError)
  })

  it('a code eth/69 does not have (NewBlock): subprotocol error (0x10)', async () => {
    const reason = await reasonReceived({
      handshake: true,
      send: (rw) => rw.writeMsg(MsgCode.NewBlock, encodeList([])),
    })
    expect(reason).toBe(DisconnectReason.SubprotocolError)
  })

  it('an unsolicited BlockHeaders response: subprotocol error (0x10)', async () => {
    const reason = await reasonReceived({
      handshake: true,
      send: (rw) =>
        rw.writeMsg(MsgCode.BlockHeaders, encodeBlockHeaders({ requestId: 7n, headers: [] })),
    })
    expect(reason).toBe(DisconnectReason.SubprotocolError)
  })

  it('a Transactions list whose item is no transaction: subprotocol error (0x10)', async () => {
    // Well-formed RLP, but a typed envelope whose type byte is ≥ 0x80: go-ethereum finds it when
    // it decodes the RawList's items, after the message.
    const reason = await reasonReceived({
      handshake: true,
      send: (rw) =>
        rw.writeMsg(MsgCode.Transactions, encodeList([encodeBytes(Uint8Array.of(0xc0, 0x01))])),
    })
    expect(reason).toBe(DisconnectReason.SubprotocolError)
  })

  it('a Transactions list of more than 4096 items: subprotocol error (0x10)', async () => {
    // Well-formed RLP over our item limit: go-ethereum counts after the decode, a plain error.
    const reason = await reasonReceived({
      handshake: true,
      send: (rw) =>
        rw.writeMsg(
          MsgCode.Transactions,
          encodeList(Array.from({ length: 4097 }, () => encodeBytes(Uint8Array.of(0x01)))),
        ),
    })
    expect(reason).toBe(DisconnectReason.SubprotocolError)
  })

  it('an announcement whose lists differ in length: subprotocol error (0x10)', async () => {
    const ann = encodeNewPooledTransactionHashes({
      types: Uint8Array.of(0, 2),
      sizes: [1],
      hashes: [hash(1), hash(2)],
    })
    const reason = await reasonReceived({
      handshake: true,
      send: (rw) => rw.writeMsg(MsgCode.NewPooledTransactionHashes, ann),
    })
    expect(reason).toBe(DisconnectReason.SubprotocolError)
  })
})
