import { type Clock, equalBytes, systemClock } from '@x/core'
import { formatEnode, type Node, parseEnode } from '@x/discover'
import {
  baseProtocolLength,
  type Cap,
  DisconnectReason,
  decodeDisconnect,
  disconnectCode,
  disconnectReasonText,
  emptyListPayload,
  encodeDisconnect,
  type Hello,
  type Msg,
  type MsgReadWriter,
  pingCode,
  pongCode,
} from '@x/p2p'
import { HealthError } from '../errors.js'
import {
  decodePingMsg,
  encodePingMsg,
  pingMsgCode,
  pingNonceSize,
  pingProtocolLength,
  pingProtocolName,
  pingProtocolVersion,
  pongMsgCode,
} from '../ping/wire.js'
import { checkTcp, type TcpCheckResult } from '../tcp.js'
import { type CheckReport, type CheckStep, reportOk } from './report.js'

/** A capability we announce, with its number of message codes (for the offsets). */
export interface AnnouncedCap extends Cap {
  length: number
}

/**
 * What the checker announces by default: `ping/1`, and `eth/68` + `eth/69` so that clients
 * which drop peers without a shared protocol keep the link long enough for the base ping.
 * The checker never runs eth: it leaves right after its pings.
 */
export const defaultCheckCaps: readonly AnnouncedCap[] = [
  { name: 'eth', version: 68, length: 17 },
  { name: 'eth', version: 69, length: 18 },
  { name: pingProtocolName, version: pingProtocolVersion, length: pingProtocolLength },
]

/** An established link after the RLPx handshake and the hello exchange. */
export interface CheckSession {
  /** The remote's hello. */
  readonly hello: Hello
  /** The link: base-protocol codes 0–15, sub-protocols after, by offset. */
  readonly rw: MsgReadWriter
  /** Closes the link (idempotent). */
  close(): void
}

export interface CheckDialOptions {
  /** Capabilities to announce in our hello. */
  caps: Cap[]
  signal: AbortSignal
  timeout: number
}

/** RLPx-dials `node` and runs the hello exchange (the bin wires `rlpxConnect` + `protoHandshake`). */
export type CheckDialer = (node: Node, options: CheckDialOptions) => Promise<CheckSession>

export interface CheckNodeOptions {
  dial: CheckDialer
  /** Milliseconds allowed for each check (default 5 000). */
  timeout?: number
  caps?: readonly AnnouncedCap[]
  signal?: AbortSignal
  clock?: Clock
  monotonic?: () => number
  randomBytes?: (n: number) => Uint8Array
  /** The L4 check (default {@link checkTcp}); tests on an in-memory network replace it. */
  reach?: (node: Node, options: { timeout: number; signal: AbortSignal }) => Promise<TcpCheckResult>
}

export const checkNodeDefaults = { timeout: 5_000 }

/**
 * The offset of `name/version` on a link where we announce `ours` and the remote `theirs`
 * (rlpx.md: for each shared name the highest shared version, code space after the base
 * protocol's 16 codes in alphabetical order), or undefined when not shared.
 */
export function sharedCapOffset(
  ours: readonly AnnouncedCap[],
  theirs: readonly Cap[],
  name: string,
  version: number,
): number | undefined {
  const best = new Map<string, AnnouncedCap>()
  for (const o of ours) {
    if (!theirs.some((t) => t.name === o.name && t.version === o.version)) continue
    const cur = best.get(o.name)
    if (!cur || o.version > cur.version) best.set(o.name, o)
  }
  let offset = baseProtocolLength
  for (const n of [...best.keys()].sort()) {
    const cap = best.get(n)!
    if (n === name) return cap.version === version ? offset : undefined
    offset += cap.length
  }
  return undefined
}

function stepError(err: unknown): { code: string; message: string } {
  const code = (err as { code?: unknown } | undefined)?.code
  return {
    code: typeof code === 'string' ? code : 'ERR_CHECK',
    message: err instanceof Error ? err.message : String(err),
  }
}

/**
 * Reads until `want` matches, answering the remote's base Pings on the way and ignoring other
 * messages (an eth Status, say). Fails on a Disconnect, on timeout, or when the link closes.
 */
async function readUntil(
  rw: MsgReadWriter,
  want: (m: Msg) => boolean,
  timeout: number,
  clock: Clock,
  signal: AbortSignal,
): Promise<Msg> {
  let timer: ReturnType<Clock['setTimeout']> | undefined
  let onAbort: (() => void) | undefined
  const stop = new Promise<never>((_, reject) => {
    timer = clock.setTimeout(
      () => reject(new HealthError('ERR_PING_TIMEOUT', `no answer within ${timeout} ms`)),
      timeout,
    )
    onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
  })
  stop.catch(() => {})
  try {
    for (;;) {
      const read = rw.readMsg()
      read.catch(() => {})
      const msg = await Promise.race([read, stop])
      if (want(msg)) return msg
      if (msg.code === disconnectCode) {
        const reason = decodeDisconnect(msg.payload)
        throw new HealthError(
          'ERR_REMOTE_DISCONNECT',
          `remote disconnected: ${disconnectReasonText[reason] ?? reason}`,
        )
      }
      if (msg.code === pingCode) await rw.writeMsg(pongCode, emptyListPayload)
    }
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer)
    if (onAbort) signal.removeEventListener('abort', onAbort)
  }
}

/**
 * Runs the checks against one node, in order: L4 TCP connect, RLPx handshake + hello, base
 * ping RTT, and the L7 `ping/1` RTT when the remote speaks it. A failed check skips those after
 * it. Never throws for a failing node; throws `EnodeError` for a malformed enode URL.
 */
export async function checkNode(
  target: string | Node,
  options: CheckNodeOptions,
): Promise<CheckReport> {
  const node = typeof target === 'string' ? parseEnode(target) : target
  const clock = options.clock ?? systemClock
  const mono = options.monotonic ?? (() => performance.now())
  const random = options.randomBytes ?? ((n) => crypto.getRandomValues(new Uint8Array(n)))
  const timeout = options.timeout ?? checkNodeDefaults.timeout
  const caps = options.caps ?? defaultCheckCaps
  const signal = options.signal ?? new AbortController().signal
  const steps: CheckStep[] = []
  const report: CheckReport = { target: formatEnode(node), ok: false, steps }
  const skipRest = (from: CheckStep['name'][], note: string) => {
    for (const name of from) steps.push({ name, status: 'skip', note })
  }

  const tcp = options.reach
    ? await options.reach(node, { timeout, signal })
    : await checkTcp(node.ip, node.tcp, { timeout, signal, clock, monotonic: mono })
  if (!tcp.ok) {
    steps.push({ name: 'tcp', status: 'fail', error: stepError(tcp.error), note: tcp.failure })
    skipRest(['handshake', 'base-ping', 'ping/1'], 'not reachable')
    return report
  }
  steps.push({ name: 'tcp', status: 'pass', ms: tcp.connectTime })

  let session: CheckSession
  const t0 = mono()
  try {
    session = await options.dial(node, {
      caps: caps.map(({ name, version }) => ({ name, version })),
      signal,
      timeout,
    })
  } catch (err) {
    steps.push({ name: 'handshake', status: 'fail', error: stepError(err) })
    skipRest(['base-ping', 'ping/1'], 'no session')
    return report
  }
  const hello = session.hello
  steps.push({ name: 'handshake', status: 'pass', ms: mono() - t0 })
  report.remote = {
    clientId: hello.clientId,
    version: hello.version,
    caps: hello.caps.map((c) => `${c.name}/${c.version}`),
  }

  try {
    try {
      const t1 = mono()
      await session.rw.writeMsg(pingCode, emptyListPayload)
      await readUntil(session.rw, (m) => m.code === pongCode, timeout, clock, signal)
      steps.push({ name: 'base-ping', status: 'pass', ms: mono() - t1 })
    } catch (err) {
      steps.push({ name: 'base-ping', status: 'fail', error: stepError(err) })
      skipRest(['ping/1'], 'base ping failed')
      return report
    }

    const offset = sharedCapOffset(caps, hello.caps, pingProtocolName, pingProtocolVersion)
    if (offset === undefined) {
      skipRest(['ping/1'], 'remote does not speak ping/1')
    } else {
      try {
        const nonce = random(pingNonceSize)
        const t2 = mono()
        await session.rw.writeMsg(offset + pingMsgCode, encodePingMsg(nonce))
        const pong = await readUntil(
          session.rw,
          (m) => m.code === offset + pongMsgCode,
          timeout,
          clock,
          signal,
        )
        const rtt = mono() - t2
        if (!equalBytes(decodePingMsg(pong.payload), nonce)) {
          throw new HealthError('ERR_PING_MISMATCH', 'pong bytes differ from the ping')
        }
        steps.push({ name: 'ping/1', status: 'pass', ms: rtt })
      } catch (err) {
        steps.push({ name: 'ping/1', status: 'fail', error: stepError(err) })
      }
    }
    report.ok = reportOk(steps)
    return report
  } finally {
    await leave(session, clock)
  }
}

/** Says goodbye (best effort, bounded) and closes the link. */
async function leave(session: CheckSession, clock: Clock): Promise<void> {
  let timer: ReturnType<Clock['setTimeout']> | undefined
  await Promise.race([
    session.rw
      .writeMsg(disconnectCode, encodeDisconnect(DisconnectReason.Requested))
      .catch(() => {}),
    new Promise<void>((resolve) => {
      timer = clock.setTimeout(resolve, 1_000)
    }),
  ])
  if (timer !== undefined) clock.clearTimeout(timer)
  session.close()
}
