import { createSocket } from 'node:dgram'

/** A running {@link startTxtServer}: its `ip:port` for `systemTxtResolver({ servers })`. */
export interface TxtServer {
  readonly address: string
  /** Queries answered so far. */
  readonly queries: number
  close(): Promise<void>
}

/**
 * A tiny authoritative DNS server on 127.0.0.1 (RFC 1035 over UDP) that answers TXT queries
 * from fixed records and NXDOMAIN otherwise: enough to test the system resolver path of DNS
 * discovery without leaving the machine. `records` may change while it runs.
 */
export async function startTxtServer(records: Map<string, string[]>): Promise<TxtServer> {
  const socket = createSocket('udp4')
  let queries = 0
  socket.on('message', (msg, rinfo) => {
    const reply = answer(msg, records)
    if (!reply) return
    queries++
    socket.send(reply, rinfo.port, rinfo.address)
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => resolve())
  })
  const { port } = socket.address()
  return {
    address: `127.0.0.1:${port}`,
    get queries() {
      return queries
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}

function answer(msg: Buffer, records: Map<string, string[]>): Buffer | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) return undefined
  const labels: string[] = []
  let off = 12
  while (off < msg.length && msg[off] !== 0) {
    const len = msg[off] as number
    if (len > 63) return undefined
    labels.push(msg.subarray(off + 1, off + 1 + len).toString('latin1'))
    off += 1 + len
  }
  const qEnd = off + 5
  if (qEnd > msg.length) return undefined
  const qtype = msg.readUInt16BE(off + 1)
  const question = msg.subarray(12, qEnd)
  // Names are case-insensitive (resolvers may randomise case, "0x20" queries).
  const name = labels.join('.').toLowerCase()
  let found: string[] | undefined
  for (const [k, v] of records) if (k.toLowerCase() === name) found = v
  const txts = qtype === 16 ? found : undefined
  const rrs = (txts ?? []).map((t) => {
    const bytes = Buffer.from(t, 'utf8')
    const chunks: Buffer[] = []
    for (let i = 0; i < bytes.length || i === 0; i += 255) {
      const c = bytes.subarray(i, i + 255)
      chunks.push(Buffer.from([c.length]), c)
    }
    const rdata = Buffer.concat(chunks)
    const head = Buffer.alloc(12)
    head.writeUInt16BE(0xc00c, 0) // name: pointer to the question
    head.writeUInt16BE(16, 2) // TXT
    head.writeUInt16BE(1, 4) // IN
    head.writeUInt32BE(60, 6) // TTL
    head.writeUInt16BE(rdata.length, 10)
    return Buffer.concat([head, rdata])
  })
  const header = Buffer.alloc(12)
  header.writeUInt16BE(msg.readUInt16BE(0), 0)
  const rcode = found ? 0 : 3 // NXDOMAIN
  header.writeUInt16BE(0x8400 | (msg.readUInt16BE(2) & 0x0100) | rcode, 2) // QR, AA, RD echoed
  header.writeUInt16BE(1, 4)
  header.writeUInt16BE(rrs.length, 6)
  return Buffer.concat([header, question, ...rrs])
}
