import { bootnodes, dnsTrees, Enr, generatePrivateKey } from '@x/discover'
import { describe, expect, it } from 'vitest'
import { ConfigError, type NodeConfig, parseConfig, parseEnodeList } from '../src/config.js'

const id = `${'a'.repeat(127)}b`
// A valid node id (a point on secp256k1).
const enode =
  'enode://3a514176466fa815ed481ffad09110a2d344f6c9b78c1d14afc351c3a51be33d8072e77939dc03ba44790779b7a1025baf3003f6732430e20cd9b76d953391b3@127.0.0.1:30303'

// EIP-778's example record (127.0.0.1, UDP 30303), signed.
const record =
  'enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8'

describe('parseConfig', () => {
  it('skips the literal -- that pnpm passes before the flags', () => {
    const c = parseConfig(['--', '--port', '30401'], '/tmp/x')
    expect(c).not.toBe('help')
    if (c !== 'help') expect(c.port).toBe(30401)
  })

  it('has defaults a user expects', () => {
    const c = parseConfig([], '/tmp/x')
    expect(c).toMatchObject({
      datadir: '/tmp/x/data',
      port: 30303,
      discport: 30303,
      maxpendpeers: 0,
      bootnodes: [],
      nodiscover: false,
      maxpeers: 50,
      nodial: false,
      netrestrict: [],
      network: 'devnet',
      dnsDiscovery: [],
      ntp: false,
      aggregator: false,
      discoveryTiming: {},
    })
    if (c === 'help') throw new Error('unreachable')
    expect(c.http).toBeUndefined()
    expect(c.heartbeat).toBeUndefined()
    // Listen on all interfaces, advertise what peers see: no NAT gateway is asked.
    expect(c.addr).toBeUndefined()
    expect(c.nat).toBeUndefined()
    expect(c.nodekey).toBeUndefined()
  })

  it('parses the listening and advertising flags as geth', () => {
    const key = 'b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291'
    const c = parseConfig(
      [
        '--addr=10.77.0.3',
        '--nat=extip:203.0.113.5',
        `--nodekeyhex=${key}`,
        '--identity=alice',
        '--maxpendpeers=7',
        '--discovery.minstatements=3',
      ],
      '/w',
    )
    if (c === 'help') throw new Error('unreachable')
    expect(c).toMatchObject({
      addr: '10.77.0.3',
      nat: { kind: 'extip', ip: '203.0.113.5' },
      identity: 'alice',
      maxpendpeers: 7,
      minStatements: 3,
    })
    expect(c.nodekey && 'key' in c.nodekey && c.nodekey.key.length).toBe(32)
    expect(parseConfig(['--extip', '203.0.113.5'])).toMatchObject({
      nat: { kind: 'extip', ip: '203.0.113.5' },
    })
    expect(parseConfig(['--nat', 'any'])).toMatchObject({ nat: { kind: 'any' } })
    expect(parseConfig(['--nat', 'none'])).not.toHaveProperty('nat')
    expect(parseConfig(['--nodekey', 'k.hex'], '/w')).toMatchObject({
      nodekey: { file: '/w/k.hex' },
    })
  })

  it('parses every flag', () => {
    const c = parseConfig(
      [
        '--port=0',
        '--discport=5',
        `--bootnodes=${enode}, ${record}`,
        '--nodiscover',
        '--maxpeers=7',
        '--nodial',
        '--static=s.txt',
        '--trusted=t.txt',
        '--netrestrict=127.0.0.0/8,::1/128',
        '--network=devnet',
        '--networkid=1337',
        '--http.port=8080',
        `--heartbeat.target=${enode}`,
        '--heartbeat.period=3s',
        '--heartbeat.nickname=alice',
        '--aggregator',
        '--discovery.revalidate=50ms',
        '--discovery.copy=1s',
        '--discovery.seedtime=2m',
      ],
      '/w',
    )
    expect(c).toMatchObject({
      port: 0,
      discport: 5,
      bootnodes: [enode, record],
      nodiscover: true,
      maxpeers: 7,
      nodial: true,
      staticFile: '/w/s.txt',
      trustedFile: '/w/t.txt',
      netrestrict: ['127.0.0.0/8', '::1/128'],
      network: 'devnet',
      networkid: 1337,
      http: { addr: '127.0.0.1', port: 8080 },
      heartbeat: { target: enode, period: '3s', nickname: 'alice' },
      aggregator: true,
      aggregatorHttp: { addr: '127.0.0.1', port: 0 },
      discoveryTiming: {
        revalidateIntervalMs: 50,
        copyNodesIntervalMs: 1000,
        seedMinTableTimeMs: 120_000,
      },
    })
  })

  it('resolves --genesis and --import against the working directory', () => {
    const c = parseConfig(['--genesis', 'chain/genesis.json', '--import', '/data/chain.rlp'], '/w')
    expect(c).toMatchObject({ genesis: '/w/chain/genesis.json', importFile: '/data/chain.rlp' })
  })

  it('--follow turns catching up with peers on; without it the eth service decides', () => {
    expect(parseConfig(['--follow'])).toMatchObject({ follow: true })
    expect(parseConfig([])).not.toHaveProperty('follow')
  })

  it.each([
    [['--port', '70000'], '--port must be a port number'],
    [['--bootnodes', 'enode://xyz@1.2.3.4:1'], '--bootnodes'],
    [['--netrestrict', '10.0.0.0'], 'not a CIDR'],
    [['--netrestrict', '10.0.0.0/33'], 'prefix length'],
    [['--network', 'ropsten'], '--network must be'],
    [['--genesis', 'g.json', '--network', 'devnet'], '--genesis and --network exclude'],
    [['--networkid', '0'], '--networkid must be'],
    [['--maxpeers=x'], '--maxpeers must be'],
    [['--heartbeat.period', '1s'], 'need --heartbeat.target'],
    [[`--heartbeat.target=${enode}`, '--heartbeat.period=soon'], '--heartbeat.period: "soon"'],
    [[`--heartbeat.target=${enode}`, '--heartbeat.period=0s'], 'whole number of milliseconds'],
    [['--http.addr', 'localhost'], '--http.addr must be an IP'],
    [['--discovery.seedtime', '5 minutes'], '--discovery.seedtime'],
    [['--bogus'], 'Unknown option'],
    [['--nat', 'extip'], '--nat extip: "" is not an IP address'],
    [['--nat', 'upnpp'], '--nat: unknown mechanism "upnpp"'],
    [['--nat', 'any', '--extip', '1.2.3.4'], 'exclusive'],
    [['--addr', 'eth0'], '--addr must be an IP'],
    [['--nodekey', 'k', '--nodekeyhex', 'ab'], 'mutually exclusive'],
    [['--nodekeyhex', 'zz'], '--nodekeyhex: node key must be 64 hex'],
    [['--identity', 'a/b'], '--identity must be'],
    [['--maxpendpeers=-1'], '--maxpendpeers must be'],
    [['--discovery.minstatements', '0'], '--discovery.minstatements must be'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseConfig(argv)).toThrow(ConfigError)
    expect(() => parseConfig(argv)).toThrow(message)
  })

  it('reads enode list files with comments', () => {
    expect(parseEnodeList(`# static peers\n\n${enode} # bootnode\n`, '--static')).toEqual([enode])
    expect(() => parseEnodeList(`enode://${id}@x`, '--static')).toThrow(ConfigError)
  })
})

describe('networks and their entry points', () => {
  const parse = (...argv: string[]) => {
    const c = parseConfig(argv, '/tmp/x')
    if (c === 'help') throw new Error('unreachable')
    return c as NodeConfig
  }

  it('the default is the devnet: no bootnodes, no DNS tree, no SNTP', () => {
    for (const c of [parse(), parse('--network', 'devnet')]) {
      expect(c).toMatchObject({ network: 'devnet', bootnodes: [], dnsDiscovery: [], ntp: false })
    }
  })

  it.each(['mainnet', 'sepolia', 'hoodi'] as const)(
    "--network %s selects go-ethereum's bootnodes and DNS tree",
    (net) => {
      const c = parse('--network', net)
      expect(c.network).toBe(net)
      expect(c.bootnodes).toEqual(bootnodes[net])
      expect(c.dnsDiscovery).toEqual([dnsTrees[net]])
      expect(c.dnsDiscovery[0]).toMatch(
        new RegExp(`^enrtree://[A-Z2-7]+@all\\.${net}\\.ethdisco\\.net$`),
      )
      expect(c.ntp).toBe(true)
    },
  )

  it('--bootnodes and --discovery.dns replace the built-in ones; "" disables DNS as in geth', () => {
    const tree = dnsTrees.sepolia.replace('all.sepolia', 'nodes.example')
    const c = parse('--network', 'sepolia', '--bootnodes', enode, '--discovery.dns', tree)
    expect(c.bootnodes).toEqual([enode])
    expect(c.dnsDiscovery).toEqual([tree])
    expect(parse('--network', 'sepolia', '--discovery.dns', '').dnsDiscovery).toEqual([])
    expect(parse('--discovery.dns', tree).dnsDiscovery).toEqual([tree])
  })

  it('--v5disc and --bootnodesv5 (enr: records only)', () => {
    const rec =
      'enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8'
    expect(parse().v5disc).toBe(false)
    const c = parse('--v5disc', '--bootnodesv5', rec)
    expect(c.v5disc).toBe(true)
    expect(c.bootnodesv5).toEqual([rec])
    expect(() => parse('--bootnodesv5', enode)).toThrow(ConfigError)
  })

  it('--nodiscover uses neither the built-in bootnodes nor DNS discovery', () => {
    const c = parse('--network', 'hoodi', '--nodiscover')
    expect(c.bootnodes).toEqual([])
    expect(c.dnsDiscovery).toEqual([])
  })

  it('accepts host names in enode URLs, refuses bad trees and networks', () => {
    const named = enode.replace('127.0.0.1', 'boot.example.org')
    expect(parse('--bootnodes', named).bootnodes).toEqual([named])
    expect(() => parse('--discovery.dns', 'enrtree://nokey@x.org')).toThrow(ConfigError)
    expect(() => parse('--network', 'goerli')).toThrow(/devnet/)
  })
})

describe('parseConfig errors', () => {
  it('name the bad value once', () => {
    let message = ''
    try {
      parseConfig(['--bootnodes', 'not-an-enode'], '/tmp/x')
    } catch (err) {
      message = (err as Error).message
    }
    expect(message.startsWith('--bootnodes: ')).toBe(true)
    expect(message.split('not-an-enode')).toHaveLength(2)
  })
})

describe('enr: bootnodes are decoded and verified at the flag', () => {
  const bad = (text: string) => {
    try {
      parseConfig(['--bootnodes', text], '/w')
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      return (err as Error).message
    }
    throw new Error(`accepted ${text}`)
  }

  it('accepts a signed record with an endpoint', () => {
    expect(parseConfig(['--bootnodes', record], '/w')).toMatchObject({ bootnodes: [record] })
  })

  it('rejects base64 that is no record, a bad signature, a record without an endpoint', () => {
    expect(bad('enr:AAAA')).toMatch(/^--bootnodes: invalid node record \(.*RLP.*\): enr:AAAA$/)
    expect(bad('enr:-IS4QHCYrYZbAKW')).toMatch(/^--bootnodes: invalid node record/)
    expect(bad('enr:!!')).toMatch(
      /^--bootnodes: invalid node record \(record text is not base64url\)/,
    )
    // One bit of the signature flipped.
    const bytes = Buffer.from(record.slice(4), 'base64url')
    bytes[10]! ^= 1
    const forged = `enr:${bytes.toString('base64url')}`
    expect(bad(forged)).toBe(
      `--bootnodes: invalid node record (record signature does not verify): ${forged}`,
    )
    const noEndpoint = Enr.create({ privateKey: generatePrivateKey(), seq: 1n }).toText()
    expect(bad(noEndpoint)).toBe(`--bootnodes: node record has no IP and UDP port: ${noEndpoint}`)
  })
})
