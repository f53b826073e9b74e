// Per-peer memory under a slow-reader attack, shared by the bench case and the test: a victim
// node in a child process (victim.ts, ours or @ethereumjs/devp2p's) and an attacker here that
// dials it over real RLPx on 127.0.0.1, runs the hello and the eth/68 Status exchange with our
// public API, then either stops reading while the victim streams transactions to it, or sends
// 1 MiB compressible messages as fast as its socket takes them.
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { encodeBytes, encodeList, encodeUint, fromHex } from '@x/core'
import { generatePrivateKey, nodeIdFromPrivateKey } from '@x/discover'
import {
  baseProtocolVersion,
  decodeDisconnect,
  disconnectCode,
  emptyListPayload,
  type Msg,
  type MsgReadWriter,
  pingCode,
  pongCode,
  protoHandshake,
  RemoteDisconnectError,
  type RlpxConnection,
  rlpxConnect,
} from '@x/p2p'
import {
  decodeBlockHeaders,
  encodeGetBlockBodies,
  encodeGetBlockHeaders,
  encodeTransactions,
  forkFilter,
  forkIdAt,
  handshake,
  MsgCode,
  mainnet,
} from '../../src/index.js'

export type Impl = 'ours' | 'ethereumjs'

export interface Memory {
  rss: number
  peakRss: number
  heapUsed: number
  external: number
  arrayBuffers: number
  /** Peers the victim had connected when measured (1: the attacker was still there). */
  peers: number
  poolTxs?: number
}

/** The victim process and its line protocol (see victim.ts). */
export interface VictimProcess {
  port: number
  id: Uint8Array
  /** Resolves with the next line of the victim that has `key`. */
  next<T>(key: string): Promise<T>
  command(line: string): void
  memory(): Promise<Memory>
  close(): Promise<void>
}

const victimScript = fileURLToPath(new URL('./victim.ts', import.meta.url))
const packageDir = fileURLToPath(new URL('../..', import.meta.url))

export async function startVictim(impl: Impl): Promise<VictimProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', victimScript, impl],
    { cwd: packageDir, stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const waiting: { key: string; resolve(v: unknown): void }[] = []
  const early: Record<string, unknown>[] = []
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const o = JSON.parse(line) as Record<string, unknown>
    const i = waiting.findIndex((w) => w.key in o)
    if (i >= 0) waiting.splice(i, 1)[0]?.resolve(o)
    else early.push(o)
  })
  const next = <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      const i = early.findIndex((o) => key in o)
      if (i >= 0) return resolve(early.splice(i, 1)[0] as T)
      waiting.push({ key, resolve: resolve as (v: unknown) => void })
      void exited.then(() => reject(new Error(`victim exited before "${key}"`)))
    })
  const ready = await next<{ port: number; id: string }>('ready')
  const command = (line: string) => child.stdin?.write(`${line}\n`)
  return {
    port: ready.port,
    id: fromHex(ready.id),
    next,
    command,
    memory: async () => {
      command('mem')
      return (await next<{ mem: Memory }>('mem')).mem
    },
    close: async () => {
      command('exit')
      child.stdin?.end()
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(killer)
    },
  }
}

/** The eth/68 reader/writer over a raw connection: eth at offset 0x10; Ping gets its Pong. */
function ethRw(conn: RlpxConnection): MsgReadWriter {
  return {
    async readMsg(): Promise<Msg> {
      for (;;) {
        const m = await conn.readMsg()
        if (m.code >= 0x10) return { ...m, code: m.code - 0x10 }
        if (m.code === pingCode) await conn.writeMsg(pongCode, emptyListPayload)
        if (m.code === disconnectCode) {
          throw new RemoteDisconnectError(decodeDisconnect(m.payload))
        }
      }
    },
    writeMsg: (code, payload) => conn.writeMsg(code + 0x10, payload),
  }
}

export interface Attacker {
  conn: RlpxConnection
  eth: MsgReadWriter
}

/** Dials the victim and runs the hello and eth/68 Status exchange (mainnet at genesis). */
export async function connectAttacker(victim: VictimProcess): Promise<Attacker> {
  const privateKey = generatePrivateKey()
  const conn = await rlpxConnect({
    host: '127.0.0.1',
    port: victim.port,
    privateKey,
    remoteId: victim.id,
  })
  await protoHandshake(conn, {
    version: baseProtocolVersion,
    clientId: 'slow-reader',
    caps: [{ name: 'eth', version: 68 }],
    listenPort: 0,
    id: nodeIdFromPrivateKey(privateKey),
  })
  const eth = ethRw(conn)
  const head = { number: 0, time: 0 }
  await handshake(eth, {
    version: 68,
    networkId: mainnet.networkId,
    genesis: mainnet.genesisHash,
    forkId: forkIdAt(mainnet, 0, 0),
    forkFilter: forkFilter(mainnet, () => head),
    head: { hash: mainnet.genesisHash, td: mainnet.genesisHeader?.difficulty ?? 0n },
    range: { earliestBlock: 0, latestBlock: 0, latestHash: mainnet.genesisHash },
  })
  return { conn, eth }
}

/** What one attack measured, in bytes. */
export interface AttackResult {
  impl: Impl
  attack: 'slow-reader' | 'compressible-flood-requests' | 'compressible-flood-transactions'
  /** Bytes the victim offered to the peer (slow reader) or the peer sent decompressed (flood). */
  bytes: number
  before: Memory
  after: Memory
  /** Memory measured while the attack went on (the flood: halfway through it). */
  during?: Memory
  /**
   * Retained growth after GC, heap used + external (ArrayBuffers, socket buffers): the larger of
   * the measurement during the attack and the one after it, while the peer is still connected.
   */
  heldGrowth: number
  peakRssGrowth: number
}

function result(
  impl: Impl,
  attack: AttackResult['attack'],
  bytes: number,
  before: Memory,
  after: Memory,
  during?: Memory,
): AttackResult {
  const held = (m: Memory) => m.heapUsed + m.external - (before.heapUsed + before.external)
  return {
    impl,
    attack,
    bytes,
    before,
    after,
    ...(during && { during }),
    heldGrowth: Math.max(held(after), during ? held(during) : Number.NEGATIVE_INFINITY),
    peakRssGrowth: after.peakRss - before.rss,
  }
}

/**
 * The peer stops reading after the handshake (it never reads again: its socket pauses once its
 * receive queue is full, and TCP's window closes), while the victim streams `mib` MiB of
 * transactions to it.
 */
export async function slowReader(impl: Impl, mib: number): Promise<AttackResult> {
  const victim = await startVictim(impl)
  try {
    const attacker = await connectAttacker(victim)
    await victim.next('peer')
    const before = await victim.memory()
    victim.command(`stream ${mib}`)
    const { streamed } = await victim.next<{ streamed: number }>('streamed')
    const after = await victim.memory()
    attacker.conn.close()
    return result(impl, 'slow-reader', streamed, before, after)
  } finally {
    await victim.close()
  }
}

/** One GetBlockBodies of `hashes` zero hashes: 32 × `hashes` bytes that snappy shrinks ~20×. */
export function compressibleRequest(hashes = 32_768): Uint8Array {
  return encodeGetBlockBodies({
    requestId: 1n,
    hashes: Array.from({ length: hashes }, () => new Uint8Array(32)),
  })
}

/** A Transactions message of one transaction of about 1 MiB, mostly zeros; `n` makes it unique. */
export function compressibleTransactions(n: number): Uint8Array {
  return encodeTransactions([
    encodeList([encodeUint(n), encodeBytes(new Uint8Array(2 ** 20 - 16))]),
  ])
}

/**
 * The peer sends `count` 1 MiB compressible messages, each as soon as its socket takes the
 * last, and reads and drops whatever the victim answers: `requests`, GetBlockBodies of 32 768
 * zero hashes; `transactions`, Transactions of one ~1 MiB transaction each (a new one each time,
 * so a pool that took them would keep them all).
 */
export async function compressibleFlood(
  impl: Impl,
  count: number,
  kind: 'requests' | 'transactions' = 'requests',
): Promise<AttackResult> {
  const victim = await startVictim(impl)
  try {
    const attacker = await connectAttacker(victim)
    await victim.next('peer')
    const before = await victim.memory()
    // Reads and drops everything; resolves when the sync probe's answer arrives.
    const probeId = 0xfeedn
    let probed: () => void = () => {}
    const probe = new Promise<void>((r) => {
      probed = r
    })
    void (async () => {
      for (;;) {
        const m = await attacker.eth.readMsg()
        if (m.code === MsgCode.BlockHeaders && decodeBlockHeaders(m.payload).requestId === probeId)
          probed()
      }
    })().catch(() => {})
    const request = compressibleRequest()
    let bytes = 0
    let during: Promise<Memory> | undefined
    for (let i = 0; i < count; i++) {
      // Halfway, the victim measures while the flood goes on (queues full, not drained).
      if (i === count >> 1) during = victim.memory()
      if (kind === 'requests') {
        await attacker.eth.writeMsg(MsgCode.GetBlockBodies, request)
        bytes += request.length
      } else {
        const txs = compressibleTransactions(i + 1)
        await attacker.eth.writeMsg(MsgCode.Transactions, txs)
        bytes += txs.length
      }
    }
    // The victim handles a peer's messages in order: once it answers this, it has handled the
    // flood (not merely received it).
    await attacker.eth.writeMsg(
      MsgCode.GetBlockHeaders,
      encodeGetBlockHeaders({ requestId: probeId, origin: 0, amount: 1, skip: 0, reverse: false }),
    )
    await probe
    const after = await victim.memory()
    attacker.conn.close()
    return result(impl, `compressible-flood-${kind}`, bytes, before, after, await during)
  } finally {
    await victim.close()
  }
}
