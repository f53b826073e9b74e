import { parseEnode } from '../enode.js'
import { Enr } from '../enr/enr.js'
import { DiscoverError } from '../errors.js'
import type { Node } from '../node.js'
import type { UDPv4 } from './udpv4.js'

/** A bootnode given as `enode://…` or `enr:…`, as a Node (the record must carry an IP and UDP port). */
export function parseBootnode(url: string): Node {
  const text = url.trim()
  if (text.startsWith('enr:')) {
    const node = Enr.fromText(text).toNode()
    if (!node)
      throw new DiscoverError('ERR_ENR_BAD_ENTRY', 'bootnode record has no IP/UDP endpoint')
    return node
  }
  return parseEnode(text)
}

export interface BootstrapResult {
  /** Bootnodes that answered our ping (bonded when they pinged back within the response timeout). */
  bonded: Node[]
  failed: { bootnode: string; error: Error }[]
}

/**
 * Pings and bonds every bootnode in parallel (go-ethereum's table does this with its seeds).
 * Never rejects: unparsable or silent bootnodes are listed in `failed`. Each completed bond also
 * fires the service's `bonded` event.
 */
export async function bootstrap(
  udp: UDPv4,
  bootnodes: readonly (string | Node)[],
  options: { signal?: AbortSignal } = {},
): Promise<BootstrapResult> {
  const result: BootstrapResult = { bonded: [], failed: [] }
  await Promise.all(
    bootnodes.map(async (b) => {
      const label = typeof b === 'string' ? b : b.toString()
      try {
        const node = typeof b === 'string' ? parseBootnode(b) : b
        await udp.bond(node, { signal: options.signal, force: true })
        result.bonded.push(node)
      } catch (error) {
        result.failed.push({ bootnode: label, error: error as Error })
      }
    }),
  )
  return result
}
