import type { Clock } from '@x/core'
import {
  baseProtocolVersion,
  type Hello,
  Peer,
  type PeerOptions,
  type Protocol,
  protocolCaps,
  protoHandshake,
} from '../../src/index.js'
import { type MemoryTransport, transportPair } from '../../src/testing/index.js'

export function randomId(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(64))
}

export function helloOf(id: Uint8Array, protocols: readonly Protocol[], name = 'test'): Hello {
  return {
    version: baseProtocolVersion,
    clientId: name,
    caps: protocolCaps(protocols),
    listenPort: 30303,
    id,
  }
}

/** Two peers connected in memory, after the hello exchange. */
export async function peerPair(
  clock: Clock,
  a: Partial<PeerOptions> & { protocols?: Protocol[] } = {},
  b: Partial<PeerOptions> & { protocols?: Protocol[] } = {},
): Promise<{ pa: Peer; pb: Peer; ta: MemoryTransport; tb: MemoryTransport }> {
  const idA = randomId()
  const idB = randomId()
  const [ta, tb] = transportPair(idA, idB, { now: () => clock.now() })
  const [hb, ha] = await Promise.all([
    protoHandshake(ta, helloOf(idA, a.protocols ?? [], 'a'), { clock }),
    protoHandshake(tb, helloOf(idB, b.protocols ?? [], 'b'), { clock }),
  ])
  const pa = new Peer(ta, hb, { clock, ...a })
  const pb = new Peer(tb, ha, { clock, inbound: true, ...b })
  return { pa, pb, ta, tb }
}
