// RLPx: ours vs @ethereumjs/devp2p's in the same run (ISSUE 5 "Performance"). Cases: frame
// encode+decode in memory, bulk one-way throughput over loopback TCP, sequential full handshakes
// per second, bytes per idle session; plus the machine limits (raw TCP, AES-CTR + keccak alone).
import { createCipheriv, randomBytes } from 'node:crypto'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { type CryptoBackend, createFastCrypto, nobleCrypto } from '@x/core'
import { generatePrivateKey, nodeIdFromPrivateKey } from '@x/discover'
import { median, recordResult } from '../../../bench/record.ts'
import {
  FrameReader,
  FrameWriter,
  handleAck,
  handleAuth,
  makeAuth,
  type RlpxConnection,
  readHandshakePacket,
  rlpxAccept,
  rlpxConnect,
} from '../src/index.js'
import { EjsRawSession } from '../test/interop/ejs-rlpx-raw.ts'
import { ejsFrame, ejsPair, ejsReceiver } from './rlpx-ejs.ts'

const MB = 1024 * 1024
const sizes = [1024, 64 * 1024, MB]
const out = (s: string) => process.stdout.write(`${s}\n`)
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d

/** Runs `batch` until `ms` passed; returns operations per second. */
function rate(batch: () => number, ms = 1000): number {
  let ops = 0
  const start = performance.now()
  while (performance.now() - start < ms) ops += batch()
  return (ops / (performance.now() - start)) * 1000
}

async function rateAsync(batch: () => Promise<number>, ms = 1500): Promise<number> {
  let ops = 0
  const start = performance.now()
  while (performance.now() - start < ms) ops += await batch()
  return (ops / (performance.now() - start)) * 1000
}

function oursPair(crypto: CryptoBackend) {
  const ka = generatePrivateKey()
  const kb = generatePrivateKey()
  const { state, packet } = makeAuth(ka, nodeIdFromPrivateKey(kb), { crypto })
  const auth = readHandshakePacket('auth', packet, kb, crypto)
  const b = handleAuth(kb, auth as NonNullable<typeof auth>, { crypto })
  const ack = readHandshakePacket('ack', b.packet, ka, crypto)
  const a = handleAck(state, ack as NonNullable<typeof ack>, crypto)
  return { writer: new FrameWriter(a), reader: new FrameReader(b.secrets) }
}

/** Frame encode + decode in one process, MB/s of payload. */
function codec(impl: string, crypto: CryptoBackend | undefined, size: number): number {
  const payload = new Uint8Array(randomBytes(size))
  const count = Math.max(1, Math.floor(MB / size))
  let step: () => void
  if (crypto) {
    const { writer, reader } = oursPair(crypto)
    step = () => {
      reader.push(writer.encode(0x10, payload))
      reader.next()
    }
  } else {
    const { a, b } = ejsPair()
    step = () => {
      const [h, body] = ejsFrame(a, 0x10, payload)
      b.parseHeader(h)
      b.parseBody(body)
    }
  }
  step()
  const r = rate(() => {
    for (let i = 0; i < count; i++) step()
    return count
  })
  const mbs = (r * size) / MB
  out(`codec ${impl} ${size} B: ${round(mbs)} MB/s`)
  return mbs
}

async function listen(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer({ noDelay: true }, onSocket)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, port: (server.address() as { port: number }).port }
}

const closeServer = (s: Server) => new Promise<void>((r) => s.close(() => r()))

async function oursSessions(crypto: CryptoBackend) {
  const key = generatePrivateKey()
  let accepted!: Promise<RlpxConnection>
  const { server, port } = await listen((s) => {
    accepted = rlpxAccept(s, { privateKey: key, crypto })
  })
  const a = await rlpxConnect({
    privateKey: generatePrivateKey(),
    remoteId: nodeIdFromPrivateKey(key),
    host: '127.0.0.1',
    port,
    crypto,
  })
  return { a, b: await accepted, server }
}

/** One-way bulk over loopback TCP: `total` bytes in `size` messages; MB/s and msgs/s. */
async function bulk(impl: string, crypto: CryptoBackend | undefined, size: number) {
  const total = 16 * MB
  const count = Math.max(1, Math.floor(total / size))
  const payload = new Uint8Array(randomBytes(size))
  let ms: number
  if (crypto) {
    const { a, b, server } = await oursSessions(crypto)
    const start = performance.now()
    const reading = (async () => {
      for (let i = 0; i < count; i++) await b.readMsg()
    })()
    for (let i = 0; i < count; i++) await a.writeMsg(0x10, payload)
    await reading
    ms = performance.now() - start
    a.close()
    b.close()
    await closeServer(server)
  } else {
    const { a, b } = ejsPair()
    let received = 0
    let done!: () => void
    const finished = new Promise<void>((r) => {
      done = r
    })
    const { server, port } = await listen((s) =>
      ejsReceiver(b, s, () => {
        if (++received === count) done()
      }),
    )
    const socket = connect({ host: '127.0.0.1', port })
    await new Promise((r) => socket.once('connect', r))
    const start = performance.now()
    for (let i = 0; i < count; i++) {
      const [h, body] = ejsFrame(a, 0x10, payload)
      socket.write(h)
      if (!socket.write(body)) await new Promise((r) => socket.once('drain', r))
    }
    await finished
    ms = performance.now() - start
    socket.destroy()
    await closeServer(server)
  }
  const mbs = (count * size) / MB / (ms / 1000)
  out(`bulk TCP ${impl} ${size} B: ${round(mbs)} MB/s, ${Math.round((count / ms) * 1000)} msg/s`)
  return { mb_per_s: round(mbs), msgs_per_s: Math.round((count / ms) * 1000) }
}

/** Sequential full handshakes: connect + auth/ack + one message each way... here one message. */
async function handshakes(impl: string, crypto: CryptoBackend | undefined): Promise<number> {
  const key = generatePrivateKey()
  const id = nodeIdFromPrivateKey(key)
  const first = new Uint8Array([0xc0])
  let r: number
  if (crypto) {
    let accepted!: Promise<RlpxConnection>
    const { server, port } = await listen((s) => {
      accepted = rlpxAccept(s, { privateKey: key, crypto })
    })
    const dialKey = generatePrivateKey()
    r = await rateAsync(async () => {
      const a = await rlpxConnect({
        privateKey: dialKey,
        remoteId: id,
        host: '127.0.0.1',
        port,
        crypto,
      })
      const b = await accepted
      await a.writeMsg(0x10, first)
      await b.readMsg()
      a.close()
      b.close()
      return 1
    })
    await closeServer(server)
  } else {
    let accepted!: Promise<EjsRawSession>
    const { server, port } = await listen((s) => {
      accepted = EjsRawSession.respond(s, key, id)
    })
    const dialKey = generatePrivateKey()
    const dialId = nodeIdFromPrivateKey(dialKey)
    r = await rateAsync(async () => {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true })
      await new Promise((res) => socket.once('connect', res))
      const a = await EjsRawSession.initiate(socket, dialKey, dialId, id)
      const b = await accepted
      a.write(0x10, first)
      await b.read()
      socket.destroy()
      return 1
    })
    await closeServer(server)
  }
  out(`handshakes ${impl}: ${round(r)}/s`)
  return r
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
/** Heap + external bytes after letting closed sockets finish and collecting twice. */
const used = async () => {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 50))
    gc()
  }
  const m = process.memoryUsage()
  return m.heapUsed + m.external
}

/** Bytes per idle established session (both ends counted, socket objects included). */
export async function idleMemory(impl: string, crypto: CryptoBackend | undefined): Promise<number> {
  const n = 100
  const key = generatePrivateKey()
  const id = nodeIdFromPrivateKey(key)
  const keep: unknown[] = []
  const sockets: Socket[] = []
  let accepted!: Promise<unknown>
  const { server, port } = await listen((s) => {
    sockets.push(s)
    accepted = crypto
      ? rlpxAccept(s, { privateKey: key, crypto })
      : EjsRawSession.respond(s, key, id)
  })
  const before = await used()
  for (let i = 0; i < n; i++) {
    const dialKey = generatePrivateKey()
    if (crypto) {
      keep.push(
        await rlpxConnect({ privateKey: dialKey, remoteId: id, host: '127.0.0.1', port, crypto }),
      )
    } else {
      const s = connect({ host: '127.0.0.1', port, noDelay: true })
      sockets.push(s)
      await new Promise((r) => s.once('connect', r))
      keep.push(await EjsRawSession.initiate(s, dialKey, nodeIdFromPrivateKey(dialKey), id))
    }
    keep.push(await accepted)
  }
  const per = ((await used()) - before) / (2 * n)
  for (const k of keep) (k as { close?: () => void }).close?.()
  for (const s of sockets) s.destroy()
  await closeServer(server)
  out(`idle session ${impl}: ${Math.round(per)} bytes`)
  return Math.round(per)
}

/** Machine limits: raw loopback TCP, and AES-256-CTR + keccak over the same bytes. */
async function limits(fast: CryptoBackend) {
  const chunk = new Uint8Array(randomBytes(64 * 1024))
  const total = 256 * MB
  let got = 0
  let done!: () => void
  const finished = new Promise<void>((r) => {
    done = r
  })
  const { server, port } = await listen((s) =>
    s.on('data', (c: Uint8Array) => {
      got += c.length
      if (got >= total) done()
    }),
  )
  const socket = connect({ host: '127.0.0.1', port })
  await new Promise((r) => socket.once('connect', r))
  const start = performance.now()
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r))
  }
  await finished
  const tcp = total / MB / ((performance.now() - start) / 1000)
  socket.destroy()
  await closeServer(server)
  const aesKeccak = (crypto: CryptoBackend) => {
    const aes = createCipheriv('aes-256-ctr', randomBytes(32), new Uint8Array(16))
    const k = crypto.keccak256Stream()
    return (
      (rate(() => {
        k.update(aes.update(chunk))
        k.digest()
        return 1
      }) *
        chunk.length) /
      MB
    )
  }
  const r = {
    raw_tcp_mb_per_s: round(tcp),
    aes_ctr_keccak_mb_per_s: { noble: round(aesKeccak(nobleCrypto)), fast: round(aesKeccak(fast)) },
  }
  out(`limits: ${JSON.stringify(r)}`)
  return r
}

export async function run(): Promise<void> {
  const fast = await createFastCrypto()
  const impls: [string, CryptoBackend | undefined][] = [
    ['ours-noble', nobleCrypto],
    ['ours-fast', fast],
    ['ethereumjs', undefined],
  ]
  const results: Record<string, Record<string, unknown>> = {
    limits: await limits(fast),
    codec_mb_per_s: {},
    bulk_tcp: {},
    handshakes_per_s: {},
    idle_session_bytes: {},
  }
  for (const size of sizes) {
    const row: Record<string, number> = {}
    for (const [name, c] of impls)
      row[name] = round(median([0, 1, 2].map(() => codec(name, c, size))))
    results.codec_mb_per_s![`${size}B`] = row
  }
  for (const size of sizes) {
    const row: Record<string, unknown> = {}
    for (const [name, c] of impls) row[name] = await bulk(name, c, size)
    results.bulk_tcp![`${size}B`] = row
  }
  for (const [name, c] of impls) results.handshakes_per_s![name] = round(await handshakes(name, c))
  for (const [name, c] of impls) results.idle_session_bytes![name] = await idleMemory(name, c)

  const ratio = (a: number, b: number) => round(a / b, 2)
  const codecRows = results.codec_mb_per_s as Record<string, Record<string, number>>
  const bulkRows = results.bulk_tcp as Record<string, Record<string, { mb_per_s: number }>>
  const hs = results.handshakes_per_s as Record<string, number>
  const ratios: Record<string, number> = {}
  for (const size of sizes) {
    const c = codecRows[`${size}B`]!
    const b = bulkRows[`${size}B`]!
    ratios[`codec_${size}B_fast_vs_ejs`] = ratio(c['ours-fast']!, c.ethereumjs!)
    ratios[`codec_${size}B_noble_vs_ejs`] = ratio(c['ours-noble']!, c.ethereumjs!)
    ratios[`bulk_${size}B_fast_vs_ejs`] = ratio(b['ours-fast']!.mb_per_s, b.ethereumjs!.mb_per_s)
    ratios[`bulk_${size}B_noble_vs_ejs`] = ratio(b['ours-noble']!.mb_per_s, b.ethereumjs!.mb_per_s)
  }
  ratios.handshakes_fast_vs_ejs = ratio(hs['ours-fast']!, hs.ethereumjs!)
  ratios.handshakes_noble_vs_ejs = ratio(hs['ours-noble']!, hs.ethereumjs!)
  const limitsRow = results.limits as { aes_ctr_keccak_mb_per_s: { fast: number } }
  // Both ends run in this process, so each byte passes AES + keccak twice on the same cores:
  // half the single-pass limit is the ceiling of this bulk measurement.
  ratios.bulk_64KiB_fast_vs_keccak_limit = ratio(
    bulkRows['65536B']!['ours-fast']!.mb_per_s,
    limitsRow.aes_ctr_keccak_mb_per_s.fast,
  )
  ratios.bulk_64KiB_fast_vs_half_keccak_limit = ratio(
    bulkRows['65536B']!['ours-fast']!.mb_per_s,
    limitsRow.aes_ctr_keccak_mb_per_s.fast / 2,
  )
  out(`ratios: ${JSON.stringify(ratios)}`)
  const file = recordResult(
    'rlpx',
    {
      'ours-noble': nobleCrypto.name,
      'ours-fast': fast.name,
      ethereumjs: '@ethereumjs/devp2p 10.0.0 ECIES session (its own noble-based crypto)',
    },
    {
      note: 'codec = frame encode+decode in one process (payload MB/s); bulk = one way over loopback TCP, 16 MiB per case, snappy off, random payloads; handshakes = sequential connect + auth/ack + first message; ethereumjs driven through its ECIES class the way its Peer does (two writes per frame, concat receive buffer)',
      ...results,
      ratios,
    },
  )
  out(`wrote ${file}`)
}
