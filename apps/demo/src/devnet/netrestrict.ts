/**
 * The `--netrestrict` allow-list that partitions a node from some others: 127.0.0.0/8 (where
 * every devnet node has its own address) minus each excluded /32, as the fewest CIDRs (at most
 * 24 per excluded address). node-app refuses to dial, accept or answer discovery packets from
 * an address outside its list.
 */
export function loopbackExcept(excluded: readonly string[]): string[] {
  const ex = excluded.map(toInt)
  const out: string[] = []
  const walk = (base: number, bits: number) => {
    const size = 2 ** (32 - bits)
    const inside = ex.filter((x) => x >= base && x < base + size)
    if (inside.length === 0) out.push(`${toIp(base)}/${bits}`)
    else if (bits < 32) {
      walk(base, bits + 1)
      walk(base + size / 2, bits + 1)
    }
  }
  walk(toInt('127.0.0.0'), 8)
  return out
}

function toInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0)
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')
}
