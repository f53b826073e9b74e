import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
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
  /** geth's latest log lines (its stderr), for waiting and for failure messages. */
  readonly lines: string[] = []
  #waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = []
  readonly #rpcUrl: Promise<string>

  private constructor(proc: ChildProcessWithoutNullStreams) {
    this.proc = proc
    proc.stdout.resume()
    let buf = ''
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        this.#onLine(buf.slice(0, nl))
        buf = buf.slice(nl + 1)
      }
    })
    this.#rpcUrl = this.waitForLog(/HTTP server started\s+endpoint=([0-9.]+:\d+) auth=false/).then(
      (m) => `http://${m[1]}`,
    )
    this.#rpcUrl.catch(() => {})
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
    const ip = o.host?.ip ?? '127.0.0.1'
    const port = o.host ? '30303' : '0'
    const args = [
      ...['--datadir', o.datadir, '--networkid', String(o.networkId), '--port', port],
      ...['--nat', `extip:${ip}`, '--netrestrict', o.host?.netrestrict ?? '127.0.0.0/8'],
      ...['--bootnodes', o.bootnodes.join(','), '--discovery.dns', '', '--discovery.v5=false'],
      ...['--http', '--http.addr', ip, '--http.port', o.host ? '8545' : '0'],
      ...['--http.api', 'admin,eth,net'],
      ...['--authrpc.addr', '127.0.0.1', '--authrpc.port', '0', '--ipcdisable'],
      ...['--maxpeers', '5', '--cache', '64', '--verbosity', '4'],
    ]
    // `ip netns exec` execs geth: the child's PID is geth's, so stop() kills geth itself.
    const [cmd, ...pre] = [...(o.host?.exec ?? []), o.bin]
    return new Geth(spawn(cmd as string, [...pre, ...args], { stdio: 'pipe' }))
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

  /** Kills geth by its PID and resolves once it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return
    const exited = once(this.proc, 'exit')
    this.proc.kill(signal)
    await exited
  }
}
