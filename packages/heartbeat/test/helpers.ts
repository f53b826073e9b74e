import type { LogFields, Logger } from '@x/core'
import { generatePrivateKey, Node, nodeIdFromPrivateKey } from '@x/discover'
import type { ProtocolPeer } from '@x/p2p'
import type { HeartbeatLink, HeartbeatRecord } from '../src/index.js'

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error'
  msg: string
  fields: LogFields
}

/** A logger that keeps every line (children included) for assertions. */
export function recordingLogger(
  lines: LogLine[] = [],
  base: LogFields = {},
): Logger & {
  lines: LogLine[]
} {
  const at =
    (level: LogLine['level']) =>
    (msg: string, fields: LogFields = {}) =>
      lines.push({ level, msg, fields: { ...base, ...fields } })
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => recordingLogger(lines, { ...base, ...fields }),
  }
}

export function randomNode(ip = '127.0.0.1', port = 30303): Node {
  return new Node({ id: nodeIdFromPrivateKey(generatePrivateKey()), ip, udp: port, tcp: port })
}

/** A link whose sends are recorded; `fail()` makes sends reject, `drop()` ends it. */
export function fakeLink() {
  const ac = new AbortController()
  const sent: HeartbeatRecord[] = []
  let failing = false
  let closed = 0
  const link: HeartbeatLink = {
    peer: {} as ProtocolPeer,
    signal: ac.signal,
    send: async (r) => {
      if (failing) throw new Error('write failed')
      sent.push(r)
    },
    close: async () => {
      closed++
    },
  }
  return {
    link,
    sent,
    fail: () => {
      failing = true
    },
    drop: (reason: unknown = new Error('peer gone')) => ac.abort(reason),
    get closed() {
      return closed
    },
  }
}
