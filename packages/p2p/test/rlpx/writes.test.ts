import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { generatePrivateKey, Node } from '@x/discover'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type MsgReadWriter,
  type Protocol,
  type RlpxConnection,
  rlpx,
  rlpxConnect,
  rlpxLimits,
  Server,
  tcpNetwork,
} from '../../src/index.js'
import { expectNoLeakedHandles } from '../handles.js'
import { until } from '../integration/until.js'
import { rlpxFixture } from './helpers.js'

expectNoLeakedHandles()
const { cleanups, listener } = rlpxFixture()
const out = (s: string) => process.stdout.write(`${s}\n`)

async function pair(): Promise<{ a: RlpxConnection; b: RlpxConnection }> {
  const l = await listener()
  const a = await rlpxConnect({
    privateKey: generatePrivateKey(),
    remoteId: l.id,
    host: '127.0.0.1',
    port: l.port,
  })
  const b = await l.next()
  cleanups.push(() => {
    a.close()
    b.close()
  })
  return { a, b }
}

/**
 * Counts turns of the event loop with a setImmediate chain and, per turn, the bytes `written()`
 * grew by; also the longest wait of a 1 ms timer (printed, never asserted).
 */
function watchLoop(written: () => number) {
  let last = written()
  let maxPerTurn = 0
  let turns = 0
  let on = true
  let maxTimerDelay = 0
  const turn = () => {
    if (!on) return
    const now = written()
    maxPerTurn = Math.max(maxPerTurn, now - last)
    last = now
    turns++
    setImmediate(turn)
  }
  setImmediate(turn)
  let timer: ReturnType<typeof setTimeout> | undefined
  const arm = () => {
    const at = performance.now()
    timer = setTimeout(() => {
      maxTimerDelay = Math.max(maxTimerDelay, performance.now() - at - 1)
      if (on) arm()
    }, 1)
  }
  arm()
  return {
    stop: () => {
      on = false
      clearTimeout(timer)
      return { maxPerTurn, turns, maxTimerDelay }
    },
  }
}

describe('RLPx writes yield to the event loop', () => {
  it('a plain await-writeMsg loop lets a setImmediate run every yieldBytes written', async () => {
    const { a, b } = await pair()
    const payload = new Uint8Array(randomBytes(1024))
    const total = 8 * 1024 * 1024
    let written = 0
    let read = 0
    const reading = (async () => {
      while (read < total) read += (await b.readMsg()).size
    })()
    const watch = watchLoop(() => written)
    const start = performance.now()
    while (written < total) {
      await a.writeMsg(0x10, payload)
      written += payload.length
    }
    await reading
    const ms = performance.now() - start
    const { maxPerTurn, turns, maxTimerDelay } = watch.stop()
    out(
      `1 KiB stream: ${total >> 20} MiB in ${Math.round(ms)} ms, ${turns} turns, at most ` +
        `${maxPerTurn} payload bytes per turn, max 1 ms timer delay ${maxTimerDelay.toFixed(1)} ms`,
    )
    // One turn sees at most the writes of two yields (the writer's own immediate and ours run in
    // the same check phase, in either order), each ending with the frame that crossed the bound.
    expect(maxPerTurn).toBeLessThanOrEqual(2 * (rlpxLimits.yieldBytes + payload.length))
    expect(turns).toBeGreaterThanOrEqual(Math.floor(total / (2 * rlpxLimits.yieldBytes)))
  })

  it('large writes yield on every write', async () => {
    const { a, b } = await pair()
    const payload = new Uint8Array(randomBytes(256 * 1024))
    const count = 64
    let written = 0
    const reading = (async () => {
      for (let i = 0; i < count; i++) await b.readMsg()
    })()
    const watch = watchLoop(() => written)
    for (let i = 0; i < count; i++) {
      await a.writeMsg(0x10, payload)
      written++
    }
    await reading
    const { maxPerTurn, maxTimerDelay } = watch.stop()
    out(
      `256 KiB stream: at most ${maxPerTurn} writes per turn, max timer delay ${maxTimerDelay} ms`,
    )
    expect(maxPerTurn).toBeLessThanOrEqual(2)
  })
})

describe('a server streaming at full speed', () => {
  const servers: Server[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()))
  })

  function node(protocol: Protocol): Server {
    const s = new Server({
      privateKey: generatePrivateKey(),
      network: tcpNetwork(rlpx),
      listenAddress: { ip: '127.0.0.1', port: 0 },
      protocols: [protocol],
      maxPeers: 2,
    })
    servers.push(s)
    return s
  }

  it('stops when asked from the event loop while a protocol loops on await writeMsg', async () => {
    const payload = new Uint8Array(randomBytes(16 * 1024))
    let sent = 0
    let stopAskedAt = -1
    let streamEnded: (e: unknown) => void = () => {}
    const ended = new Promise<unknown>((r) => {
      streamEnded = r
    })
    let stopping: Promise<void> | undefined
    let timerLate = 0
    const streamer: Protocol = {
      name: 'bulk',
      version: 1,
      length: 1,
      async run(_peer, rw: MsgReadWriter) {
        try {
          for (;;) {
            await rw.writeMsg(0, payload)
            sent += payload.length
            if (sent === 4 * 1024 * 1024) {
              const at = performance.now()
              setTimeout(() => {
                timerLate = performance.now() - at
              }, 0)
              setImmediate(() => {
                stopAskedAt = sent
                stopping = a.stop()
              })
            }
          }
        } catch (err) {
          streamEnded(err)
          throw err
        }
      },
    }
    const sink: Protocol = {
      name: 'bulk',
      version: 1,
      length: 1,
      async run(_peer, rw: MsgReadWriter) {
        for (;;) await rw.readMsg()
      },
    }
    const a = node(streamer)
    const b = node(sink)
    await Promise.all([a.start(), b.start()])
    const port = b.listenAddress?.port as number
    a.addPeer(new Node({ id: b.id, ip: '127.0.0.1', udp: port, tcp: port }))
    await until([a], () => a.peerCount() === 1, 10_000)
    const err = await ended
    await stopping
    // The stop ran on the next turn of the event loop: at most two yields' worth later.
    expect(stopAskedAt - 4 * 1024 * 1024).toBeLessThanOrEqual(
      2 * (rlpxLimits.yieldBytes + payload.length),
    )
    expect(a.peerCount()).toBe(0)
    expect(err).toMatchObject({ code: 'ERR_PEER_CLOSED' })
    out(
      `stream: a 0 ms timer ran ${timerLate.toFixed(1)} ms later; stop ran after ${stopAskedAt >> 10} KiB; ` +
        `${(sent - stopAskedAt) >> 10} KiB more were written before the stream ended`,
    )
  })
})
