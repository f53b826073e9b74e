import { describe, expect, it } from 'vitest'
import { parseLink } from '../src/dns/tree.js'
import { bootnodes, dnsTrees, isPublicNetwork, publicNetworks } from '../src/networks.js'
import { parseBootnode } from '../src/udp/bootstrap.js'

// The lists are data: these tests parse them and dial or resolve nothing.

describe("public networks' bootnodes (go-ethereum's params/bootnodes.go)", () => {
  it('has the lists of go-ethereum v1.17.10: 9 mainnet, 10 sepolia, 8 hoodi', () => {
    expect(publicNetworks).toEqual(['mainnet', 'sepolia', 'hoodi'])
    expect(bootnodes.mainnet).toHaveLength(9)
    expect(bootnodes.sepolia).toHaveLength(10)
    expect(bootnodes.hoodi).toHaveLength(8)
    // The five EF NodeOps records come first, then the legacy enode URLs.
    for (const net of publicNetworks) {
      expect(bootnodes[net].slice(0, 5).every((u) => u.startsWith('enr:'))).toBe(true)
      expect(bootnodes[net].slice(5).every((u) => u.startsWith('enode://'))).toBe(true)
    }
  })

  it('every entry parses (records verify) to a public IPv4 endpoint', () => {
    for (const net of publicNetworks) {
      const nodes = bootnodes[net].map(parseBootnode)
      expect(new Set(nodes.map((n) => n.idHex)).size).toBe(nodes.length)
      for (const n of nodes) {
        expect(n.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
        expect(n.ip.startsWith('127.') || n.ip.startsWith('10.')).toBe(false)
        expect(n.udp).toBeGreaterThan(0)
      }
    }
  })

  it('names the nodes go-ethereum names', () => {
    const mainnet = bootnodes.mainnet.map(parseBootnode)
    expect(mainnet.map((n) => `${n.ip}:${n.tcp}`)).toEqual(
      expect.arrayContaining([
        '18.138.108.67:30303',
        '3.209.45.79:30303',
        '65.108.70.101:30303',
        '157.90.35.166:30303',
      ]),
    )
    expect(mainnet[5]!.idHex.startsWith('d860a01f9722d780')).toBe(true)
    const hoodi = bootnodes.hoodi.map(parseBootnode)
    expect(hoodi.map((n) => n.ip)).toEqual(
      expect.arrayContaining(['134.209.138.84', '209.38.124.160', '134.199.184.23']),
    )
    const sepolia = bootnodes.sepolia.map(parseBootnode)
    expect(sepolia.map((n) => n.ip)).toEqual(
      expect.arrayContaining([
        '138.197.51.181',
        '146.190.1.103',
        '170.64.250.88',
        '139.59.49.206',
        '138.68.123.152',
      ]),
    )
  })
})

describe("public networks' DNS trees (go-ethereum's KnownDNSNetwork)", () => {
  it('are the "all" trees on ethdisco.net, signed by one key', () => {
    const key = 'AKA3AM6LPBYEUDMVNU3BSVQJ5AD45Y7YPOHJLEF6W26QOE4VTUDPE'
    for (const net of publicNetworks) {
      const link = parseLink(dnsTrees[net])
      expect(link.domain).toBe(`all.${net}.ethdisco.net`)
      expect(link.id).toBe(`${key}@all.${net}.ethdisco.net`)
    }
    expect(isPublicNetwork('devnet')).toBe(false)
    expect(isPublicNetwork('hoodi')).toBe(true)
  })
})
