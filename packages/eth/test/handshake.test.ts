import { encodeList, encodeUint } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { DisconnectError, DisconnectReason } from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import { mainnet } from '../src/chain.js'
import { EthError } from '../src/errors.js'
import { forkIdAt } from '../src/forkid.js'
import { type HandshakeOptions, handshake, localStatus } from '../src/handshake.js'
import { encodeStatus, MsgCode } from '../src/index.js'
import { devnetHandshake, rwPair } from './helpers.js'

const closers: (() => void)[] = []
afterEach(() => {
  for (const c of closers.splice(0)) c()
})

function pair() {
  const [a, b] = rwPair()
  closers.push(
    () => a.close(),
    () => b.close(),
  )
  return [a, b] as const
}

async function failure(p: Promise<unknown>): Promise<DisconnectError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(DisconnectError)
  return err as DisconnectError
}

function causeCode(err: DisconnectError): string {
  expect(err.cause).toBeInstanceOf(EthError)
  return (err.cause as EthError).code
}

describe('eth handshake', () => {
  it.each([68, 69] as const)('succeeds between two eth/%i devnet nodes', async (version) => {
    const [a, b] = pair()
    const opts = devnetHandshake(version)
    const [sa, sb] = await Promise.all([handshake(a, opts), handshake(b, opts)])
    expect(sa).toEqual(localStatus(opts))
    expect(sb).toEqual(localStatus(opts))
  })

  /** The remote sends `remote`'s status; we check ours rejects it. */
  async function rejected(remote: HandshakeOptions, local = devnetHandshake(remote.version)) {
    const [a, b] = pair()
    void b.writeMsg(MsgCode.Status, encodeStatus(localStatus(remote))).catch(() => {})
    return failure(handshake(a, local))
  }

  it('rejects a different network id', async () => {
    const err = await rejected({ ...devnetHandshake(68), networkId: 1n })
    expect(err.reason).toBe(DisconnectReason.SubprotocolError)
    expect(causeCode(err)).toBe('ERR_NETWORK_ID_MISMATCH')
  })

  it('rejects a different genesis', async () => {
    const err = await rejected({ ...devnetHandshake(69), genesis: mainnet.genesisHash })
    expect(err.reason).toBe(DisconnectReason.SubprotocolError)
    expect(causeCode(err)).toBe('ERR_GENESIS_MISMATCH')
  })

  it('rejects an incompatible fork id', async () => {
    const err = await rejected({ ...devnetHandshake(68), forkId: forkIdAt(mainnet, 0, 0) })
    expect(err.reason).toBe(DisconnectReason.SubprotocolError)
    expect(causeCode(err)).toBe('ERR_FORKID_REJECTED')
    expect(((err.cause as EthError).cause as EthError).code).toBe('ERR_LOCAL_INCOMPATIBLE_OR_STALE')
  })

  it('rejects a different protocol version', async () => {
    const err = await rejected(devnetHandshake(69), devnetHandshake(68))
    expect(err.reason).toBe(DisconnectReason.SubprotocolError)
    expect(causeCode(err)).toBe('ERR_PROTOCOL_VERSION_MISMATCH')
  })

  it('rejects an eth/69 status with an invalid block range', async () => {
    const bad = {
      ...devnetHandshake(69),
      range: { earliestBlock: 5, latestBlock: 1, latestHash: new Uint8Array(32).fill(1) },
    }
    const err = await rejected(bad)
    expect(err.reason).toBe(DisconnectReason.SubprotocolError)
    expect(causeCode(err)).toBe('ERR_INVALID_BLOCK_RANGE')
  })

  it('rejects a first message that is not a status', async () => {
    const [a, b] = pair()
    void b.writeMsg(MsgCode.Transactions, encodeList([]))
    const err = await failure(handshake(a, devnetHandshake(68)))
    expect(err.reason).toBe(DisconnectReason.SubprotocolError)
    expect(causeCode(err)).toBe('ERR_NO_STATUS_MSG')
  })

  it("rejects a malformed status as a breach of protocol (go-ethereum's Msg.Decode)", async () => {
    const [a, b] = pair()
    void b.writeMsg(MsgCode.Status, encodeList([encodeUint(68), encodeUint(1)]))
    const err = await failure(handshake(a, devnetHandshake(68)))
    expect(err.reason).toBe(DisconnectReason.BreachOfProtocol)
    expect(causeCode(err)).toBe('ERR_DECODE')
  })

  it('times out after 5 s of silence with a read timeout', async () => {
    const clock = new ManualClock()
    const [a] = pair()
    const p = failure(handshake(a, { ...devnetHandshake(68), clock }))
    await clock.advance(4_999)
    expect(clock.pending).toBe(1)
    await clock.advance(1)
    const err = await p
    expect(err.reason).toBe(DisconnectReason.ReadTimeout)
    expect(causeCode(err)).toBe('ERR_STATUS_TIMEOUT')
    expect(clock.pending).toBe(0)
  })

  it('stops when aborted and clears its timer', async () => {
    const clock = new ManualClock()
    const [a] = pair()
    const ac = new AbortController()
    const p = handshake(a, { ...devnetHandshake(68), clock, signal: ac.signal })
    ac.abort(new Error('stop'))
    await expect(p).rejects.toThrow('stop')
    expect(clock.pending).toBe(0)
  })
})
