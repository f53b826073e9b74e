import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.js'
import { dumpConfig } from '../src/config-file.js'

const enode =
  'enode://3a514176466fa815ed481ffad09110a2d344f6c9b78c1d14afc351c3a51be33d8072e77939dc03ba44790779b7a1025baf3003f6732430e20cd9b76d953391b3@127.0.0.1:30303'

let dir = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'node-app-config-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function file(text: string): Promise<string> {
  const path = join(dir, 'config.toml')
  await writeFile(path, text)
  return path
}

describe('--config', () => {
  it('reads flags from TOML (dotted keys or tables); the command line wins', async () => {
    const path = await file(
      `port = 30401\nmaxpeers = 7\nnodial = true\nbootnodes = ["${enode}"]\n[http]\nport = 8080\n[heartbeat]\ntarget = "${enode}"\nperiod = "3s"\n`,
    )
    const c = parseConfig(['--config', path, '--port', '30402'], dir)
    expect(c).toMatchObject({
      port: 30402,
      maxpeers: 7,
      nodial: true,
      bootnodes: [enode],
      http: { addr: '127.0.0.1', port: 8080 },
      heartbeat: { target: enode, period: '3s' },
    })
  })

  it('names an unknown key, a wrongly typed value, bad TOML and a missing file', async () => {
    expect(() => parseConfig(['--config', 'nope.toml'], dir)).toThrow(/nope\.toml: no such file/)
    let path = await file('port = 1\nmaxpeer = 3\n')
    expect(() => parseConfig(['--config', path], dir)).toThrow(/unknown key "maxpeer"/)
    path = await file('[discovery]\nrevalidat = "1s"\n')
    expect(() => parseConfig(['--config', path], dir)).toThrow(/unknown key "discovery.revalidat"/)
    path = await file('nodial = "yes"\n')
    expect(() => parseConfig(['--config', path], dir)).toThrow(/nodial must be true or false/)
    path = await file('port = \n')
    expect(() => parseConfig(['--config', path], dir)).toThrow(/not valid TOML \(line 1\)/)
    path = await file('port = "x"\n')
    expect(() => parseConfig(['--config', path], dir)).toThrow(/--port must be a port number/)
  })
})

describe('dumpconfig', () => {
  it('prints TOML that --config reads back to the same config', async () => {
    const argv = [
      '--port=0',
      '--discport=5',
      `--bootnodes=${enode}`,
      '--maxpeers=7',
      '--nodial',
      '--static=s.txt',
      '--trusted=t.txt',
      '--netrestrict=127.0.0.0/8,::1/128',
      '--networkid=1337',
      '--http.port=8080',
      `--heartbeat.target=${enode}`,
      '--heartbeat.period=3s',
      '--heartbeat.nickname=alice',
      '--aggregator',
      '--discovery.revalidate=50ms',
      '--discovery.copy=1m30s',
      '--verbosity=4',
      '--log.format=logfmt',
    ]
    // The flags of listening/NAT, keys, RPC and metrics (added beside the ones above).
    const more = [
      '--addr=127.0.0.2',
      '--nat=pmp:10.0.0.1',
      '--nodekey=key.hex',
      '--maxpendpeers=9',
      '--identity=alice',
      '--discovery.minstatements=3',
      '--http',
      '--metrics.port=6061',
    ]
    const cases = [[], ['--network', 'sepolia'], ['--nodiscover', '--follow'], argv, more]
    cases.push(['--nat=extip:203.0.113.5', `--nodekeyhex=${'11'.repeat(32)}`])
    for (const args of cases) {
      const config = parseConfig(args, dir)
      if (config === 'help') throw new Error('unreachable')
      const path = await file(dumpConfig(config))
      expect(parseConfig(['--config', path], '/elsewhere')).toEqual(config)
    }
  })
})
