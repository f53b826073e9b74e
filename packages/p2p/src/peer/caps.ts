import { baseProtocolLength, type Cap } from '../hello.js'
import type { Protocol } from '../protocol.js'

/** A protocol both sides speak, with the code offset it runs at on this link. */
export interface MatchedProtocol {
  protocol: Protocol
  /** First wire code of the protocol (≥ 16, after the base protocol). */
  offset: number
}

function compareCaps(a: Cap, b: Cap): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1
  return a.version - b.version
}

/**
 * Matches our protocols against the remote's capabilities (rlpx.md "Message ID-based
 * multiplexing", go-ethereum's `matchProtocols`): for each name both sides speak, the highest
 * version both speak; code space assigned by offset after the base protocol's 16 codes, in
 * alphabetical order of the names.
 */
export function matchProtocols(
  ours: readonly Protocol[],
  theirs: readonly Cap[],
): MatchedProtocol[] {
  const sorted = [...theirs].sort(compareCaps)
  const chosen = new Map<string, Protocol>()
  for (const cap of sorted) {
    for (const proto of ours) {
      if (proto.name !== cap.name || proto.version !== cap.version) continue
      // Later caps of the same name have higher versions (sorted), so they replace earlier ones.
      chosen.set(cap.name, proto)
    }
  }
  const names = [...chosen.keys()].sort()
  let offset = baseProtocolLength
  return names.map((name) => {
    const protocol = chosen.get(name) as Protocol
    const m = { protocol, offset }
    offset += protocol.length
    return m
  })
}

/** The capabilities we announce in our hello for `protocols`, sorted. */
export function protocolCaps(protocols: readonly Protocol[]): Cap[] {
  return protocols.map((p) => ({ name: p.name, version: p.version })).sort(compareCaps)
}
