// eth codec speed, ours against @ethereumjs/devp2p's ETH protocol in the same run: Status and
// BlockHeaders (192 mainnet-shaped headers), encode and decode. The ethereumjs side runs its real
// ETH object (sendStatus / sendMessage / _handleMessage) with a stub peer and snappy off, so
// both sides do RLP only. Ours keeps headers raw; "ours (from objects)" also encodes/decodes
// every header field, the fair comparison with ethereumjs' nested arrays.
import { randomBytes } from 'node:crypto'
import { Common, Hardfork, Mainnet } from '@ethereumjs/common'
import { ETH } from '@ethereumjs/devp2p'
import { decodeRlp } from '@x/core'
import { median, recordResult } from '../../../bench/record.ts'
import {
  type BlockHeader,
  decodeBlockHeaders,
  decodeHeader,
  decodeStatus,
  devnet,
  encodeBlockHeaders,
  encodeHeader,
  encodeStatus,
  mainnet,
  type Status68,
} from '../src/index.js'

type Nested = Uint8Array | Nested[]

function opsPerSec(fn: () => void, ms = 250, rounds = 5): number {
  const results: number[] = []
  for (let i = 0; i < 200; i++) fn()
  for (let r = 0; r < rounds; r++) {
    let n = 0
    const start = performance.now()
    let now = start
    while (now - start < ms) {
      for (let i = 0; i < 20; i++) fn()
      n += 20
      now = performance.now()
    }
    results.push((n * 1000) / (now - start))
  }
  return Math.round(median(results))
}

function header(n: number): BlockHeader {
  return {
    ...(devnet.genesisHeader as BlockHeader),
    parentHash: randomBytes(32),
    coinbase: randomBytes(20),
    stateRoot: randomBytes(32),
    txRoot: randomBytes(32),
    receiptRoot: randomBytes(32),
    bloom: randomBytes(256),
    difficulty: 0n,
    number: 22_000_000 + n,
    gasUsed: 14_000_000 + n,
    time: 1_746_612_311 + 12 * n,
    extra: randomBytes(16),
    mixDigest: randomBytes(32),
    baseFee: 3_000_000_000n + BigInt(n),
    extraFields: [
      randomBytes(32),
      Uint8Array.of(0x83, 2, 0, 0),
      Uint8Array.of(0x80),
      randomBytes(32),
    ].map((b, i) => (i === 0 || i === 3 ? Uint8Array.of(0xa0, ...b) : b)),
  }
}

export async function run(): Promise<void> {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague })
  let sent: Uint8Array = new Uint8Array()
  const stubPeer = { common, _socket: {}, _hello: null, disconnect() {} }
  const ejs = new ETH(68, stubPeer as never, (_code: number, data: Uint8Array) => {
    sent = data
  }) as unknown as {
    _statusTimeoutId: ReturnType<typeof setTimeout>
    _status: unknown
    _peerStatus: unknown
    sendStatus(s: { td: Uint8Array; bestHash: Uint8Array; genesisHash: Uint8Array }): void
    sendMessage(code: number, payload: unknown): void
    _handleMessage(code: number, data: Uint8Array): void
    events: { on(e: string, fn: (...a: unknown[]) => void): void }
  }
  clearTimeout(ejs._statusTimeoutId)
  ejs.events.on('message', () => {})
  ejs.events.on('status', () => {})

  const status: Status68 = {
    version: 68,
    networkId: 1n,
    td: 58_750_003_716_598_352_816_469n,
    head: randomBytes(32),
    genesis: mainnet.genesisHash,
    forkId: { hash: 0xfc64ec04, next: 1_150_000n },
  }
  const statusBytes = encodeStatus(status)
  const ejsStatus = {
    td: Uint8Array.of(0x0c, 0x70, 0xd8, 0x15, 0xd5, 0x62, 0xd3, 0xcf, 0xa9, 0x55),
    bestHash: status.head,
    genesisHash: status.genesis,
  }

  const headers = Array.from({ length: 192 }, (_, i) => header(i))
  const rawHeaders = headers.map(encodeHeader)
  const nestedHeaders = rawHeaders.map((h) => decodeRlp(h) as Nested)
  const msg = encodeBlockHeaders({ requestId: 0x1234_5678n, headers: rawHeaders })
  const reqId = Uint8Array.of(0x12, 0x34, 0x56, 0x78)
  ejs.sendMessage(0x04, [reqId, nestedHeaders])
  if (Buffer.compare(Buffer.from(sent), Buffer.from(msg)) !== 0) throw new Error('encodings differ')

  const results = {
    statusEncode: {
      ours: opsPerSec(() => encodeStatus(status)),
      ethereumjs: opsPerSec(() => {
        ejs._status = null
        ejs.sendStatus(ejsStatus)
      }),
    },
    statusDecode: {
      ours: opsPerSec(() => decodeStatus(statusBytes)),
      ethereumjs: opsPerSec(() => {
        ejs._peerStatus = null
        ejs._status = null
        ejs._handleMessage(0x00, statusBytes)
      }),
    },
    blockHeaders192Encode: {
      ours: opsPerSec(() => encodeBlockHeaders({ requestId: 0x1234_5678n, headers: rawHeaders })),
      oursFromObjects: opsPerSec(() =>
        encodeBlockHeaders({ requestId: 0x1234_5678n, headers: headers.map(encodeHeader) }),
      ),
      ethereumjs: opsPerSec(() => ejs.sendMessage(0x04, [reqId, nestedHeaders])),
    },
    blockHeaders192Decode: {
      ours: opsPerSec(() => decodeBlockHeaders(msg)),
      oursToObjects: opsPerSec(() => decodeBlockHeaders(msg).headers.map(decodeHeader)),
      ethereumjs: opsPerSec(() => ejs._handleMessage(0x04, msg)),
    },
  }
  const ratios = Object.fromEntries(
    Object.entries(results).map(([k, v]) => {
      const { ethereumjs, ...ours } = v as Record<string, number> & { ethereumjs: number }
      return [
        k,
        Object.fromEntries(
          Object.entries(ours).map(([name, ops]) => [
            name,
            Math.round((ops / ethereumjs) * 100) / 100,
          ]),
        ),
      ]
    }),
  )
  const file = recordResult('eth', 'none (RLP only; keccak not involved)', {
    unit: 'operations per second (median of 5 × 250 ms)',
    messageBytes: { status: statusBytes.length, blockHeaders192: msg.length },
    results,
    oursOverEthereumjs: ratios,
  })
  process.stdout.write(
    `${JSON.stringify({ results, oursOverEthereumjs: ratios }, null, 2)}\nwrote ${file}\n`,
  )
}
