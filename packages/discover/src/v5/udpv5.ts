import { randomBytes } from 'node:crypto'
import {
  type Clock,
  type Logger,
  noopLogger,
  type RlpInput,
  systemClock,
  TimeoutError,
  TypedEventTarget,
  toHex,
} from '@x/core'
import type { Enr } from '../enr/enr.js'
import { DiscoverError, V5PacketError } from '../errors.js'
import { type Node, type NodeId, nodeIdFromPrivateKey, nodeIdHash } from '../node.js'
import type { Table } from '../table/table.js'
import type { DiscoveryTransport } from '../transport.js'
import { bindUdp } from '../udp/dgram.js'
import { LocalNode } from '../udp/local-node.js'
import type { DatagramTransport, UdpAddress } from '../udp/transport.js'
import type { Message, MessageName } from '../v5wire/messages.js'
import {
  decodePacket,
  encodeMessagePacket,
  encodeWhoareyouPacket,
  type HandshakePacket,
  type MessagePacket,
  type WhoareyouPacket,
} from '../v5wire/packet.js'
import { type Call, CallTable } from './calls.js'
import { acceptHandshake, encodeRequestPacket, nextNonce, openWithEither } from './handshake.js'
import { collectTableNodes, lookupDistances, packNodes, verifyResponseRecord } from './nodes.js'
import {
  type LocalRecord,
  type TalkHandler,
  type UDPv5Events,
  type UDPv5Options,
  type UDPv5Stats,
  udpv5Defaults,
} from './options.js'
import { RecordStore } from './records.js'
import { SessionCache, WhoareyouLimiter } from './sessions.js'

const d = udpv5Defaults
const responseOf = { ping: 'pong', findnode: 'nodes', talkreq: 'talkresp' } as const

/**
 * Node Discovery v5 over UDP (go-ethereum's UDPv5): sessions and handshakes, requests matched to
 * responses by request ID with timeouts, and answers to PING, FINDNODE and TALKREQ. One request
 * per node is on the wire at a time; later ones queue behind it. It implements the table's
 * `DiscoveryTransport`, so a `Kademlia` runs on it as on UDPv4. Construct, then `start()`;
 * `stop()` fails every request with `ERR_CLOSED` and releases the socket and timers.
 */
export class UDPv5 extends TypedEventTarget<UDPv5Events> implements DiscoveryTransport {
  /** NODES for the distances asked may be empty: the node still answered. */
  readonly emptyFindnodeIsAnswer = true
  readonly stats: UDPv5Stats = {
    received: 0,
    sent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    receivedByType: {},
    sentByType: {},
    handshakesCompleted: 0,
    whoareyouSent: 0,
    dropped: {},
  }
  /** Records of other nodes by discv5 ID hex. */
  readonly records: RecordStore
  readonly #key: Uint8Array
  readonly #pub: NodeId
  /** Our discv5 node ID: keccak256 of our public key. */
  readonly localId: Uint8Array
  readonly #localHex: string
  readonly #options: UDPv5Options
  readonly #clock: Clock
  readonly #log: Logger
  readonly #sessions: SessionCache
  readonly #limiter: WhoareyouLimiter
  readonly #respTimeout: number
  readonly #netrestrict: (ip: string) => boolean
  readonly #calls = new CallTable()
  readonly #talk = new Map<string, TalkHandler>()
  /** Nodes whose newer record is being fetched (discv5 ID hex). */
  readonly #fetching = new Set<string>()
  #talkInFlight = 0
  #transport: DatagramTransport | undefined
  #local: LocalRecord | undefined
  #table: Table | undefined
  #state: 'new' | 'running' | 'stopped' = 'new'
  #starting: Promise<void> | undefined

  constructor(options: UDPv5Options) {
    super()
    this.#options = options
    this.#key = options.privateKey
    this.#pub = nodeIdFromPrivateKey(options.privateKey)
    this.localId = nodeIdHash(this.#pub)
    this.#localHex = toHex(this.localId)
    this.#clock = options.clock ?? systemClock
    this.#log = options.logger ?? noopLogger
    this.#respTimeout = options.respTimeoutMs ?? d.respTimeoutMs
    this.#netrestrict = options.netrestrict ?? (() => true)
    this.#sessions = new SessionCache(
      this.#clock,
      options.sessionCacheSize ?? d.sessionCacheSize,
      options.maxHandshakes ?? d.maxHandshakes,
      options.handshakeTimeoutMs ?? d.handshakeTimeoutMs,
    )
    this.#limiter = new WhoareyouLimiter(
      this.#clock,
      options.whoareyouPerSecond ?? d.whoareyouPerSecond,
      options.whoareyouPerIpPerSecond ?? d.whoareyouPerIpPerSecond,
      d.rateLimitTrackedIps,
    )
    this.records = new RecordStore(d.maxRecords)
  }

  /** Binds the socket (or takes `options.transport`) and starts answering. Once only. */
  start(): Promise<void> {
    this.#starting ??= this.#start()
    return this.#starting
  }

  async #start(): Promise<void> {
    if (this.#state !== 'new') return
    const o = this.#options
    const transport =
      o.transport ?? (await bindUdp({ host: o.host ?? '0.0.0.0', port: o.port ?? 0 }))
    if (this.#state !== 'new') {
      if (!o.transport) await transport.close()
      return
    }
    this.#local =
      o.local ??
      new LocalNode(this.#key, {
        id: this.#pub,
        bound: transport.address,
        ...(o.tcpPort !== undefined && { tcp: o.tcpPort }),
        ...(o.ip !== undefined && { staticIp: o.ip }),
        seq: o.enrSeq ?? BigInt(Math.trunc(this.#clock.now())),
        clock: this.#clock,
      })
    this.#transport = transport
    this.#state = 'running'
    if (o.listen !== false) {
      transport.onMessage((data, from) => this.deliver(data, from))
      transport.onError((e) => this.#log.debug('udp send error', { err: e.message }))
    }
  }

  /** Our node (ID, advertised endpoint). */
  get self(): Node {
    return this.#localRecord().node
  }

  /** Our current record (sent in handshakes and for FINDNODE distance 0). */
  get enr(): Enr {
    return this.#localRecord().enr
  }

  /** Sessions established and handshakes awaited (monitoring, flood tests). */
  get sessionCount(): { sessions: number; handshakes: number; calls: number } {
    return {
      sessions: this.#sessions.sessions,
      handshakes: this.#sessions.handshakes,
      calls: this.#calls.size,
    }
  }

  /** Where FINDNODE answers come from; until set, only distance 0 (our record) is answered. */
  setTable(table: Table): void {
    this.#table = table
  }

  /** Adds or replaces record entries (standalone only: with `local`, its owner does). */
  setEnrEntries(entries: Record<string, RlpInput>): void {
    const l = this.#localRecord()
    if (!(l instanceof LocalNode)) {
      throw new DiscoverError('ERR_NOT_STARTED', 'the record belongs to the shared UDPv4')
    }
    l.setEntries(entries)
  }

  /**
   * Registers the handler of TALKREQ messages for `protocol` (replacing an earlier one).
   * Unknown protocols are answered with an empty TALKRESP, as the spec asks.
   */
  registerTalkHandler(protocol: string, handler: TalkHandler): void {
    if (!this.#talk.has(protocol) && this.#talk.size >= d.maxTalkHandlers) {
      throw new DiscoverError('ERR_V5_BUSY', `more than ${d.maxTalkHandlers} talk protocols`)
    }
    this.#talk.set(protocol, handler)
  }

  /** Remembers a node's record (a bootnode's), keeping the one with the higher seq. */
  addRecord(enr: Enr): void {
    this.#learn(enr)
  }

  // ---- requests ----

  /** PING → PONG: resolves with the node's record seq. */
  async ping(node: Node, options: { signal?: AbortSignal } = {}): Promise<{ enrSeq?: bigint }> {
    const m = await this.#call(node, { type: 'ping', reqId: rid(), enrSeq: this.enr.seq }, options)
    return { enrSeq: (m as { enrSeq: bigint }).enrSeq }
  }

  /**
   * The table's FindNode: asks `node` for the distances around keccak256(`target`) (go-ethereum's
   * `lookupWorker`) and resolves with the verified nodes of its NODES answers.
   */
  async findnode(
    node: Node,
    target: NodeId,
    options: { signal?: AbortSignal } = {},
  ): Promise<Node[]> {
    const found = await this.findnodeAt(
      node,
      lookupDistances(nodeIdHash(target), node.hash),
      options,
    )
    return found.map((f) => f.node)
  }

  /** FINDNODE for `distances`: the verified records answered, each with its node. */
  async findnodeAt(
    node: Node,
    distances: number[],
    options: { signal?: AbortSignal } = {},
  ): Promise<{ enr: Enr; node: Node }[]> {
    const m = { type: 'findnode', reqId: rid(), distances } as const
    return (await this.#call(node, m, options)) as { enr: Enr; node: Node }[]
  }

  /** The node's current record (FINDNODE distance 0). */
  async requestENR(node: Node, options: { signal?: AbortSignal } = {}): Promise<Enr> {
    const [r] = await this.findnodeAt(node, [0], options)
    if (!r || toHex(r.node.id) !== node.idHex) {
      throw new V5PacketError('ERR_V5_BAD_NODES', 'no record of the node in its answer')
    }
    return r.enr
  }

  /** TALKREQ → TALKRESP: the response bytes. */
  async talkRequest(
    node: Node,
    protocol: string,
    request: Uint8Array,
    options: { signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    const p = new TextEncoder().encode(protocol)
    const m = await this.#call(
      node,
      { type: 'talkreq', reqId: rid(), protocol: p, request },
      options,
    )
    return (m as { response: Uint8Array }).response
  }

  #call(
    node: Node,
    message: Message & { type: keyof typeof responseOf },
    options: { signal?: AbortSignal },
  ): Promise<Message | { enr: Enr; node: Node }[]> {
    if (this.#state !== 'running') {
      return Promise.reject(new DiscoverError('ERR_CLOSED', 'UDPv5 not running'))
    }
    if (this.#calls.size >= d.maxPendingCalls) {
      return Promise.reject(new DiscoverError('ERR_V5_BUSY', 'too many requests pending'))
    }
    const signal = options.signal
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const destId = node.hash
      const call: Call = {
        node,
        destId,
        destHex: toHex(destId),
        addr: { ip: node.ip, port: node.udp },
        message,
        reqIdHex: toHex(message.reqId),
        responseType: responseOf[message.type],
        distances: message.type === 'findnode' ? message.distances : undefined,
        nonceHex: undefined,
        handshakes: 0,
        retries: 0,
        challenge: undefined,
        total: undefined,
        received: 0,
        records: [],
        seen: new Set(),
        timer: undefined,
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(v)
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort)
          reject(e)
        },
      }
      const onAbort = () => this.#finish(call, undefined, signal?.reason)
      signal?.addEventListener('abort', onAbort, { once: true })
      if (this.#calls.add(call)) this.#send(call)
    })
  }

  /** Sends (or re-sends) a call: as a handshake after WHOAREYOU, in its session, or random. */
  #send(call: Call): void {
    const key = SessionCache.key(call.destHex, call.addr)
    const challenge = call.challenge
    call.challenge = undefined
    const out = encodeRequestPacket({
      destId: call.destId,
      destKey: call.node.id,
      message: call.message,
      localId: this.localId,
      privateKey: this.#key,
      local: this.enr,
      challenge,
      session: challenge ? undefined : this.#sessions.get(key),
      remote: this.records.get(call.destHex),
    })
    if (out.newSession) this.#sessions.store(key, out.newSession)
    this.#calls.setNonce(call, toHex(out.nonce))
    this.#write(out.packet, call.addr, out.kind)
    this.#armTimeout(call)
  }

  #armTimeout(call: Call): void {
    if (call.timer !== undefined) this.#clock.clearTimeout(call.timer)
    call.timer = this.#clock.setTimeout(() => {
      call.timer = undefined
      // A lost packet that was to start a handshake is sent once more (a fresh nonce).
      if (call.handshakes === 0 && call.retries === 0 && call.received === 0) {
        call.retries++
        this.#send(call)
        return
      }
      this.#finish(
        call,
        undefined,
        new TimeoutError(`${call.message.type} to ${call.node} timed out`),
      )
    }, this.#respTimeout)
  }

  /** Ends a call (result or error) and sends the next one queued for its node. */
  #finish(
    call: Call,
    result: Message | { enr: Enr; node: Node }[] | undefined,
    error?: unknown,
  ): void {
    if (call.timer !== undefined) this.#clock.clearTimeout(call.timer)
    call.timer = undefined
    const next = this.#calls.remove(call)
    if (next === false) return // already finished
    if (next && this.#state === 'running') this.#send(next)
    if (error !== undefined) call.reject(error)
    else call.resolve(result!)
  }

  // ---- incoming packets ----

  /** Handles one datagram (the socket's receiver, or UDPv4's hand-over on a shared socket). */
  deliver(data: Uint8Array, from: UdpAddress): void {
    if (this.#state !== 'running') return
    this.stats.received++
    this.stats.bytesReceived += data.length
    try {
      const p = decodePacket(this.localId, data)
      if (p.flag === 1) this.#onWhoareyou(p, from)
      else if (p.flag === 0) this.#onMessagePacket(p, from)
      else this.#onHandshake(p, from)
    } catch (e) {
      this.#drop((e as { code?: string }).code ?? 'ERR_INTERNAL', from, e)
    }
  }

  #drop(code: string, from: UdpAddress, e?: unknown): void {
    this.stats.dropped[code] = (this.stats.dropped[code] ?? 0) + 1
    this.#log.debug('dropped discv5 packet', {
      from: `${from.ip}:${from.port}`,
      code,
      ...(e instanceof Error && { err: e.message }),
    })
  }

  #onMessagePacket(p: MessagePacket, from: UdpAddress): void {
    const srcHex = toHex(p.srcId)
    if (srcHex === this.#localHex) throw new V5PacketError('ERR_V5_SELF', 'packet from ourselves')
    const key = SessionCache.key(srcHex, from)
    const s = this.#sessions.get(key)
    let m: Message
    try {
      if (!s) throw new V5PacketError('ERR_V5_DECRYPT', 'no session')
      m = openWithEither(s, p)
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_V5_DECRYPT') throw e
      this.#challenge(p, srcHex, key, from)
      return
    }
    const nonceHex = toHex(p.nonce)
    if (s.seen.has(nonceHex))
      throw new V5PacketError('ERR_V5_REPLAYED', 'message nonce seen before')
    s.seen.add(nonceHex)
    if (s.seen.size > d.replayWindow) s.seen.delete(s.seen.values().next().value!)
    this.#onMessage(m, p.srcId, srcHex, from)
  }

  /** Answers an undecryptable message with WHOAREYOU (the one pending, if there is one). */
  #challenge(p: MessagePacket, srcHex: string, key: string, from: UdpAddress): void {
    if (!this.#limiter.allow(from.ip)) {
      throw new V5PacketError('ERR_V5_RATE_LIMITED', 'WHOAREYOU rate limit')
    }
    const pending = this.#sessions.challenge(key)
    if (pending) {
      this.#write(pending.packet, from, 'whoareyou')
      return
    }
    const enr = this.records.get(srcHex)
    const w = encodeWhoareyouPacket({
      destId: p.srcId,
      iv: randomBytes(16),
      nonce: p.nonce,
      idNonce: randomBytes(16),
      enrSeq: enr?.seq ?? 0n,
    })
    this.#sessions.storeChallenge(key, {
      packet: w.packet,
      challengeData: w.challengeData,
      enr,
      sentAt: this.#clock.now(),
    })
    this.stats.whoareyouSent++
    this.#write(w.packet, from, 'whoareyou')
  }

  #onWhoareyou(p: WhoareyouPacket, from: UdpAddress): void {
    this.#count('whoareyou')
    const call = this.#calls.byNonce(toHex(p.nonce))
    if (!call || call.addr.ip !== from.ip || call.addr.port !== from.port) {
      throw new V5PacketError('ERR_V5_UNEXPECTED_WHOAREYOU', 'WHOAREYOU for no request of ours')
    }
    if (call.handshakes > 0) {
      throw new V5PacketError('ERR_V5_UNEXPECTED_WHOAREYOU', 'second WHOAREYOU for one request')
    }
    call.handshakes++
    call.challenge = p
    this.#send(call)
  }

  #onHandshake(p: HandshakePacket, from: UdpAddress): void {
    const srcHex = toHex(p.srcId)
    if (srcHex === this.#localHex) throw new V5PacketError('ERR_V5_SELF', 'packet from ourselves')
    const key = SessionCache.key(srcHex, from)
    const challenge = this.#sessions.challenge(key)
    if (!challenge) {
      throw new V5PacketError('ERR_V5_UNEXPECTED_HANDSHAKE', 'handshake without our WHOAREYOU')
    }
    // Whatever happens now, this challenge is used up (a replay finds none).
    this.#sessions.deleteChallenge(key)
    const { session, enr, message: m } = acceptHandshake(p, challenge, this.#key, this.localId)
    this.#sessions.store(key, session)
    this.stats.handshakesCompleted++
    this.#learn(enr)
    const node = enr.toNode()
    if (node && node.ip === from.ip && node.udp === from.port) {
      this.emit('session:established', { node, enr, initiator: false })
    }
    this.#onMessage(m, p.srcId, srcHex, from)
  }

  #onMessage(m: Message, srcId: Uint8Array, srcHex: string, from: UdpAddress): void {
    this.#count(m.type)
    switch (m.type) {
      case 'ping':
        this.#respond(srcId, srcHex, from, {
          type: 'pong',
          reqId: m.reqId,
          enrSeq: this.enr.seq,
          ip: from.ip,
          port: from.port,
        })
        this.#maybeFetchRecord(srcHex, m.enrSeq, from)
        return
      case 'findnode': {
        const recs = this.#table
          ? collectTableNodes(this.#table, this.enr, m.distances, from.ip, (n) =>
              this.records.get(toHex(n.hash)),
            )
          : m.distances.includes(0)
            ? [this.enr]
            : []
        const parts = packNodes(recs)
        for (const records of parts) {
          this.#respond(srcId, srcHex, from, {
            type: 'nodes',
            reqId: m.reqId,
            total: parts.length,
            records,
          })
        }
        return
      }
      case 'talkreq':
        this.#onTalk(m.protocol, m.request, m.reqId, srcId, srcHex, from)
        return
      default:
        this.#onResponse(m, srcHex, from)
    }
  }

  /**
   * A PING announced a newer record than the one we hold: ask for it (FINDNODE 0), once per node
   * at a time and at most `maxRecordFetches` at once. The answer replaces the record
   * (`enr:updated`).
   */
  #maybeFetchRecord(srcHex: string, seq: bigint, from: UdpAddress): void {
    const known = this.records.get(srcHex)
    if (!known || seq <= known.seq || this.#fetching.has(srcHex)) return
    if (this.#fetching.size >= d.maxRecordFetches) return
    const node = known.toNode()
    if (!node || node.ip !== from.ip || node.udp !== from.port) return
    this.#fetching.add(srcHex)
    this.requestENR(node)
      .catch((e: Error) => this.#log.debug('record fetch failed', { err: e.message }))
      .finally(() => this.#fetching.delete(srcHex))
  }

  #onTalk(
    protocol: Uint8Array,
    request: Uint8Array,
    reqId: Uint8Array,
    srcId: Uint8Array,
    srcHex: string,
    from: UdpAddress,
  ): void {
    const h = this.#talk.get(new TextDecoder().decode(protocol))
    const reply = (response: Uint8Array) =>
      this.#respond(srcId, srcHex, from, { type: 'talkresp', reqId, response })
    if (!h || this.#talkInFlight >= d.maxPendingCalls) {
      reply(new Uint8Array(0))
      return
    }
    this.#talkInFlight++
    Promise.resolve()
      .then(() => h(request, { id: srcId, ip: from.ip, port: from.port }))
      .then(
        (r) => reply(r),
        (e: Error) => {
          this.#log.debug('talk handler failed', { err: e.message })
          reply(new Uint8Array(0))
        },
      )
      .finally(() => this.#talkInFlight--)
  }

  #onResponse(m: Message, srcHex: string, from: UdpAddress): void {
    const call = this.#calls.active(srcHex)
    if (!call || call.reqIdHex !== toHex(m.reqId) || m.type !== call.responseType) {
      throw new V5PacketError('ERR_V5_UNSOLICITED', `unsolicited ${m.type}`)
    }
    if (call.addr.ip !== from.ip || call.addr.port !== from.port) {
      throw new V5PacketError('ERR_V5_UNSOLICITED', `${m.type} from another endpoint`)
    }
    if (call.handshakes > 0 && call.received === 0) {
      this.emit('session:established', {
        node: call.node,
        enr: this.records.get(srcHex),
        initiator: true,
      })
      this.stats.handshakesCompleted++
    }
    if (m.type === 'pong') {
      this.#localRecord().endpointStatement?.(from.ip, { ip: m.ip, udp: m.port })
      this.#finish(call, m)
      return
    }
    if (m.type !== 'nodes') {
      this.#finish(call, m)
      return
    }
    call.received++
    call.total ??= Math.min(Math.max(m.total, 1), d.totalNodesResponseLimit)
    for (const raw of m.records) {
      const r = verifyResponseRecord(raw, {
        destHash: call.destId,
        distances: call.distances,
        fromIp: from.ip,
        seen: call.seen,
        netrestrict: this.#netrestrict,
      })
      if (typeof r === 'string') {
        this.stats.dropped[`nodes:${r}`] = (this.stats.dropped[`nodes:${r}`] ?? 0) + 1
        continue
      }
      if (call.records.length < d.findnodeResultLimit * d.totalNodesResponseLimit) {
        call.records.push(r)
        this.#learn(r.enr)
      }
    }
    if (call.received >= call.total) this.#finish(call, call.records)
    else this.#armTimeout(call)
  }

  #respond(srcId: Uint8Array, srcHex: string, to: UdpAddress, m: Message): void {
    const s = this.#sessions.get(SessionCache.key(srcHex, to))
    if (!s) return
    const packet = encodeMessagePacket({
      destId: srcId,
      srcId: this.localId,
      iv: randomBytes(16),
      nonce: nextNonce(s),
      key: s.writeKey,
      message: m,
    })
    this.#write(packet, to, m.type)
  }

  #learn(enr: Enr): void {
    if (this.records.put(enr) === 'updated') this.emit('enr:updated', { enr })
  }

  #write(packet: Uint8Array, to: UdpAddress, kind: MessageName | 'whoareyou' | 'random'): void {
    const t = this.#transport
    if (!t || this.#state !== 'running') return
    this.stats.sent++
    this.stats.bytesSent += packet.length
    this.stats.sentByType[kind] = (this.stats.sentByType[kind] ?? 0) + 1
    t.send(packet, to)
  }

  #count(kind: MessageName | 'whoareyou'): void {
    this.stats.receivedByType[kind] = (this.stats.receivedByType[kind] ?? 0) + 1
  }

  #localRecord(): LocalRecord {
    if (!this.#local) throw new DiscoverError('ERR_NOT_STARTED', 'UDPv5 not started')
    return this.#local
  }

  /** Fails every request with `ERR_CLOSED`, forgets sessions, closes the socket it owns. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return
    const wasRunning = this.#state === 'running'
    this.#state = 'stopped'
    await this.#starting?.catch(() => {})
    const closed = new DiscoverError('ERR_CLOSED', 'UDPv5 stopped')
    for (const c of this.#calls.all()) {
      this.#finish(c, undefined, closed)
    }
    this.#sessions.clear()
    if (wasRunning && this.#options.listen !== false) await this.#transport?.close()
  }
}

function rid(): Uint8Array {
  return new Uint8Array(randomBytes(8))
}
