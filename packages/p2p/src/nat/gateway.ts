import { readFile } from 'node:fs/promises'

/**
 * The IPv4 default gateway from the kernel's routing table (`/proc/net/route`, Linux), as
 * go-ethereum's NAT-PMP discovery finds it (`gateway.DiscoverGateway`); undefined when there is
 * no default route or no such file. `read` is injected for tests.
 */
export async function defaultGateway(
  read: () => Promise<string> = () => readFile('/proc/net/route', 'utf8'),
): Promise<string | undefined> {
  let table: string
  try {
    table = await read()
  } catch {
    return undefined
  }
  for (const line of table.split('\n').slice(1)) {
    const [, destination, gateway, flags] = line.trim().split(/\s+/)
    // RTF_UP | RTF_GATEWAY on the 0.0.0.0 route; the fields are little-endian hex.
    if (destination !== '00000000' || !gateway || !flags || (Number.parseInt(flags, 16) & 3) !== 3)
      continue
    const n = Number.parseInt(gateway, 16)
    if (!Number.isFinite(n) || n === 0) continue
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.')
  }
  return undefined
}
