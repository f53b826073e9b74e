import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runTool } from './tools.js'

/**
 * @x/eth's `devnet` as a geth genesis.json: network 4242, no fork scheduled (so the fork id is
 * the bare CRC32 of the genesis hash, as ours), the same legacy genesis header. geth only runs
 * chains with `terminalTotalDifficulty` set (one never reached: no merge); it is not part of
 * the header or the fork id.
 * `geth init` with it writes genesis ad0f2f…59646b, our devnet's.
 */
export const devnetGenesis = {
  config: { chainId: 4242, terminalTotalDifficulty: Number.MAX_SAFE_INTEGER },
  nonce: '0x0000000000000000',
  timestamp: '0x6553f100',
  extraData: `0x${Buffer.from('x-devp2p devnet').toString('hex')}`,
  gasLimit: '0x1c9c380',
  difficulty: '0x1',
  mixHash: `0x${'00'.repeat(32)}`,
  coinbase: `0x${'00'.repeat(20)}`,
  alloc: {},
}
export const devnetNetworkId = 4242

/** One peer of geth's `admin_peers`. */
export interface GethPeer {
  enode: string
  id: string
  name: string
  caps: string[]
  network: { inbound: boolean; remoteAddress: string }
  protocols: { eth?: { version: number } | string }
}

/**
 * A geth child process on loopback only, in its own datadir: `--nat extip:127.0.0.1` (never
 * UPnP/NAT-PMP, which multicast to the LAN), `--netrestrict 127.0.0.0/8`, `--bootnodes` naming
 * only the nodes given (else geth falls back to the mainnet bootnodes), no DNS discovery, HTTP
 * and auth RPC on 127.0.0.1 with OS-chosen ports. Stopped by PID with `stop()`.
 */
export class Geth {
  readonly proc: ChildProcessWithoutNullStreams
  /** geth's latest output lines, for waiting and for failure messages. */
  readonly lines: string[] = []
  #waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = []
  readonly #rpcUrl: Promise<string>
  readonly #authUrl: Promise<string>
  readonly #jwtSecret: Buffer

  private constructor(proc: ChildProcessWithoutNullStreams, jwtSecret: Buffer) {
    this.proc = proc
    this.#jwtSecret = jwtSecret
    // Its log on stderr; a fatal startup error (`Fatal: …`, a flag conflict) on stdout.
    for (const stream of [proc.stderr, proc.stdout]) {
      let buf = ''
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        buf += chunk
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          this.#onLine(buf.slice(0, nl))
          buf = buf.slice(nl + 1)
        }
      })
    }
    this.#rpcUrl = this.waitForLog(/HTTP server started\s+endpoint=([0-9.]+:\d+) auth=false/).then(
      (m) => `http://${m[1]}`,
    )
    this.#rpcUrl.catch(() => {})
    this.#authUrl = this.waitForLog(
      /HTTP server started\s+endpoint=(127\.0\.0\.1:\d+) auth=true/,
    ).then((m) => `http://${m[1]}`)
    this.#authUrl.catch(() => {})
  }

  #onLine(line: string): void {
    this.lines.push(line)
    // Bounded: the last 5000 lines are enough to see why a test failed.
    if (this.lines.length > 5000) this.lines.shift()
    this.#waiters = this.#waiters.filter((w) => {
      const m = w.re.exec(line)
      if (m) w.resolve(m)
      return !m
    })
  }

  /** `geth init` with `genesis` into `datadir`, then starts geth on it. */
  static async start(o: {
    bin: string
    datadir: string
    genesis: object
    networkId: number
    bootnodes: string[]
    /** Never dial (p2p.Config NoDial, which geth has no flag for: set in its TOML config). */
    noDial?: boolean
    /** `--nodiscover`: no discv4 at all (peers only by `admin_addPeer` or dialing us). */
    noDiscovery?: boolean
    /** A chain file `geth import`s after `geth init`, before it starts. */
    importFile?: string
    /** `--verbosity` (default 4, debug) and `--vmodule` (per-package levels). */
    verbosity?: number
    vmodule?: string
    /**
     * Run in a network namespace instead of on loopback: its IP (advertised with `--nat extip:`,
     * HTTP on it), the net it may talk to (`--netrestrict`) and `ip netns exec <ns>`.
     */
    host?: { ip: string; netrestrict: string; exec: readonly string[] }
  }): Promise<Geth> {
    const genesisFile = join(o.datadir, 'genesis.json')
    await writeFile(genesisFile, JSON.stringify(o.genesis))
    const init = await runTool(o.bin, ['init', '--datadir', o.datadir, genesisFile], 60_000)
    if (init.code !== 0) throw new Error(`geth init failed (${init.code}):\n${init.stderr}`)
    if (o.importFile !== undefined) {
      const imp = await runTool(
        o.bin,
        ['--datadir', o.datadir, '--cache', '64', 'import', o.importFile],
        120_000,
      )
      if (imp.code !== 0) throw new Error(`geth import failed (${imp.code}):\n${imp.stderr}`)
    }
    const config = join(o.datadir, 'geth.toml')
    await writeFile(config, o.noDial ? '[Node.P2P]\nNoDial = true\n' : '')
    // The engine API's JWT secret: the test stands for the consensus client.
    const jwtSecret = randomBytes(32)
    const jwtFile = join(o.datadir, 'jwtsecret')
    await writeFile(jwtFile, jwtSecret.toString('hex'))
    const ip = o.host?.ip ?? '127.0.0.1'
    const port = o.host ? '30303' : '0'
    const args = [
      ...['--config', config],
      ...['--datadir', o.datadir, '--networkid', String(o.networkId), '--port', port],
      ...['--nat', `extip:${ip}`, '--netrestrict', o.host?.netrestrict ?? '127.0.0.0/8'],
      ...['--bootnodes', o.bootnodes.join(','), '--discovery.dns', ''],
      // geth refuses --discovery.v5 with --nodiscover (which turns both versions off).
      ...(o.noDiscovery ? ['--nodiscover'] : ['--discovery.v5=false']),
      ...['--http', '--http.addr', ip, '--http.port', o.host ? '8545' : '0'],
      ...['--http.api', 'admin,eth,net,txpool'],
      ...['--authrpc.addr', '127.0.0.1', '--authrpc.port', '0', '--authrpc.jwtsecret', jwtFile],
      ...['--ipcdisable', '--maxpeers', '5', '--cache', '64'],
      // Full sync: in snap mode (the default) geth takes no engine API payload past block 1.
      ...['--syncmode', 'full'],
      ...['--verbosity', String(o.verbosity ?? 4)],
      ...(o.vmodule !== undefined ? ['--log.vmodule', o.vmodule] : []),
    ]
    // `ip netns exec` execs geth: the child's PID is geth's, so stop() kills geth itself.
    const [cmd, ...pre] = [...(o.host?.exec ?? []), o.bin]
    return new Geth(spawn(cmd as string, [...pre, ...args], { stdio: 'pipe' }), jwtSecret)
  }

  /** Resolves with the first log line matching `re` (past or future); rejects if geth exits. */
  waitForLog(re: RegExp): Promise<RegExpExecArray> {
    for (const line of this.lines) {
      const m = re.exec(line)
      if (m) return Promise.resolve(m)
    }
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`geth exited (${code}) before ${re}\n${this.lines.slice(-50).join('\n')}`))
      this.proc.once('exit', onExit)
      this.#waiters.push({
        re,
        resolve: (m) => {
          this.proc.off('exit', onExit)
          resolve(m)
        },
      })
    })
  }

  /** The URL of the HTTP JSON-RPC endpoint, once geth has started it. */
  rpcUrl(): Promise<string> {
    return this.#rpcUrl
  }

  /**
   * Calls a JSON-RPC method on geth's HTTP endpoint; `exec` (`ip netns exec <ns>`) makes the
   * call from inside a namespace, where a namespaced geth's endpoint is reachable.
   */
  async rpc<T>(method: string, params: unknown[] = [], exec?: readonly string[]): Promise<T> {
    const url = await this.rpcUrl()
    const request = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
    let text: string
    if (exec) {
      const script = `fetch(${JSON.stringify(url)},{method:'POST',headers:{'content-type':'application/json'},body:process.argv[1]}).then(r=>r.text()).then(t=>process.stdout.write(t))`
      const r = await runTool(
        exec[0] as string,
        [...exec.slice(1), process.execPath, '-e', script, request],
        30_000,
      )
      if (r.code !== 0) throw new Error(`${method} in namespace: ${r.stderr}`)
      text = r.stdout
    } else {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: request,
      })
      text = await res.text()
    }
    const body = JSON.parse(text) as { result?: T; error?: { message: string } }
    if (body.error) throw new Error(`${method}: ${body.error.message}`)
    return body.result as T
  }

  /**
   * Calls an engine API method on geth's authenticated endpoint, with a fresh HS256 token of the
   * JWT secret (the engine API's authentication: `iat` within 60 s of geth's clock).
   */
  async engine<T>(method: string, params: unknown[] = []): Promise<T> {
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url')
    const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iat: Math.floor(Date.now() / 1000) })}`
    const sig = createHmac('sha256', this.#jwtSecret).update(unsigned).digest('base64url')
    const res = await fetch(await this.#authUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${unsigned}.${sig}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    })
    const body = (await res.json()) as { result?: T; error?: { message: string } }
    if (body.error) throw new Error(`${method}: ${body.error.message}`)
    return body.result as T
  }

  /**
   * Marks geth synced as its consensus client would: a forkchoice update to the head it has.
   * Until then geth drops every transaction and announcement peers send (`AcceptTxs`: go-ethereum
   * sets it on the first valid forkchoice update or at the end of a sync).
   */
  async markSynced(): Promise<void> {
    const head = await this.rpc<{ hash: string }>('eth_getBlockByNumber', ['latest', false])
    const state = {
      headBlockHash: head.hash,
      safeBlockHash: head.hash,
      finalizedBlockHash: head.hash,
    }
    const r = await this.engine<{ payloadStatus: { status: string } }>(
      'engine_forkchoiceUpdatedV1',
      [state, null],
    )
    if (r.payloadStatus.status !== 'VALID') {
      throw new Error(`forkchoice update to ${head.hash}: ${r.payloadStatus.status}`)
    }
  }

  /**
   * Makes geth build and adopt one empty block on its head, as its consensus client would
   * (Cancun engine API: forkchoiceUpdatedV3 with payload attributes, getPayloadV3, newPayloadV3,
   * forkchoiceUpdatedV3 to the new head); resolves with the new block's hash. The slot is 12 s
   * after the parent's, so the chain's times stay in the past of a genesis in the past.
   */
  async makeBlock(): Promise<string> {
    const zero = `0x${'00'.repeat(32)}`
    const parent = await this.rpc<{ hash: string; timestamp: string }>('eth_getBlockByNumber', [
      'latest',
      false,
    ])
    const state = (hash: string) => ({
      headBlockHash: hash,
      safeBlockHash: hash,
      finalizedBlockHash: hash,
    })
    const attributes = {
      timestamp: `0x${(Number(parent.timestamp) + 12).toString(16)}`,
      prevRandao: zero,
      suggestedFeeRecipient: `0x${'00'.repeat(20)}`,
      withdrawals: [],
      parentBeaconBlockRoot: zero,
    }
    const fcu = await this.engine<{ payloadId: string | null }>('engine_forkchoiceUpdatedV3', [
      state(parent.hash),
      attributes,
    ])
    if (!fcu.payloadId) throw new Error('forkchoiceUpdatedV3: no payload id')
    const built = await this.engine<{ executionPayload: { blockHash: string } }>(
      'engine_getPayloadV3',
      [fcu.payloadId],
    )
    const payload = built.executionPayload
    const status = await this.engine<{ status: string }>('engine_newPayloadV3', [payload, [], zero])
    if (status.status !== 'VALID') throw new Error(`newPayloadV3: ${status.status}`)
    await this.engine('engine_forkchoiceUpdatedV3', [state(payload.blockHash), null])
    return payload.blockHash
  }

  /** geth's enode URL (admin_nodeInfo). */
  async enode(): Promise<string> {
    return (await this.rpc<{ enode: string }>('admin_nodeInfo')).enode
  }

  /** Kills geth by its PID and resolves once it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return
    const exited = once(this.proc, 'exit')
    this.proc.kill(signal)
    await exited
  }
}
