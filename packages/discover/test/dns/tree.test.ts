import { fromHex, getCrypto } from '@x/core'
import { describe, expect, it } from 'vitest'
import {
  base32Decode,
  base32Encode,
  formatEntry,
  formatLink,
  formatRoot,
  isValidHash,
  matchesHash,
  parseEntry,
  parseLink,
  parseRoot,
  signRoot,
  subdomain,
  verifyRoot,
} from '../../src/dns/index.js'
import { DnsError } from '../../src/errors.js'
import { compressNodeId } from '../../src/node.js'
import fixture from '../fixtures/dnsdisc-tree.json' with { type: 'json' }

const code = (fn: () => unknown) => {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(DnsError)
    return (e as DnsError).code
  }
  throw new Error('did not throw')
}

describe('base32 (RFC 4648, no padding)', () => {
  it('round-trips every length and matches the RFC examples', () => {
    const enc = new TextEncoder()
    const rfc: [string, string][] = [
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ]
    for (const [plain, b32] of rfc) {
      expect(base32Encode(enc.encode(plain))).toBe(b32)
      expect(base32Decode(b32)).toEqual(enc.encode(plain))
    }
    for (let n = 0; n < 40; n++) {
      const b = getCrypto()
        .keccak256(new Uint8Array([n]))
        .slice(0, n % 33)
      expect(base32Decode(base32Encode(b))).toEqual(b)
    }
  })
  it('refuses non-canonical text', () => {
    expect(base32Decode('MZ')).toBeUndefined() // trailing bits set
    expect(base32Decode('mzxq')).toBeUndefined()
    expect(base32Decode('MZXQ====')).toBeUndefined()
    expect(base32Decode('M')).toBeUndefined()
  })
})

describe("go-ethereum's TestClientSyncTree tree", () => {
  const link = parseLink(fixture.url)

  it('parses the link and verifies the root with its key', () => {
    expect(link.domain).toBe('n')
    const root = parseRoot(fixture.records.n as string)
    expect(root).toMatchObject({
      eroot: 'JWXYDBPXYWG6FX3GMDIBFA6CJ4',
      lroot: 'C7HRFPF3BLGF3YR4DY5KX3SMBE',
    })
    expect(root.seq).toBe(fixture.seq)
    expect(verifyRoot(root, link)).toBe(true)
    expect(formatRoot(root)).toBe(fixture.records.n)
    // The fixture's signing key is the link's key.
    const pub = compressNodeId(getCrypto().publicKey(fromHex(fixture.signing_key)))
    expect(formatLink(pub, 'n')).toBe(fixture.url)
  })

  it('names every record by its hash and re-formats it byte for byte', () => {
    for (const [name, text] of Object.entries(fixture.records)) {
      if (name === 'n') continue
      const hash = name.slice(0, name.indexOf('.'))
      expect(matchesHash(text, hash)).toBe(true)
      expect(subdomain(text)).toBe(hash)
      const e = parseEntry(text)
      expect(e).toBeDefined()
      expect(formatEntry(e!)).toBe(text)
    }
  })

  it('a root signed by another key, or altered, does not verify', () => {
    const root = parseRoot(fixture.records.n as string)
    const other = signRoot(root, getCrypto().keccak256(new Uint8Array([1])))
    expect(verifyRoot(other, link)).toBe(false)
    expect(verifyRoot({ ...root, seq: 2 }, link)).toBe(false)
  })
})

describe('bad input is a typed error', () => {
  it('links', () => {
    expect(code(() => parseLink('enode://x@y'))).toBe('ERR_DNS_BAD_URL')
    expect(code(() => parseLink('enrtree://nodes.example.org'))).toBe('ERR_DNS_BAD_URL')
    // go-ethereum's TestParseEntry: a truncated key, and one that is not a point.
    expect(
      code(() =>
        parseLink('enrtree://AP62DT7WOTEQZGQZOU474PP3KMEGVTTE7A7NPRXKX3DUD57@nodes.example.org'),
      ),
    ).toBe('ERR_DNS_BAD_URL')
    expect(
      code(() =>
        parseLink(
          'enrtree://AP62DT7WONEQZGQZOU474PP3KMEGVTTE7A7NPRXKX3DUD57TQHGIA@nodes.example.org',
        ),
      ),
    ).toBe('ERR_DNS_BAD_URL')
    const key = parseLink(fixture.url).id.split('@')[0]
    expect(code(() => parseLink(`enrtree://${key}@bad..domain`))).toBe('ERR_DNS_BAD_URL')
    expect(code(() => parseLink(`enrtree://${key}@${'a'.repeat(64)}.org`))).toBe('ERR_DNS_BAD_URL')
  })

  it('roots (go-ethereum TestParseRoot)', () => {
    expect(
      code(() =>
        parseRoot(
          'enrtree-root:v1 e=TO4Q75OQ2N7DX4EOOR7X66A6OM seq=3 sig=N-YY6UB9xD0hFx1Gmnt7v0RfSxch5tKyry2SRDoLx7B4GfPXagwLxQqyf7gAMvApFn_ORwZQekMWa_pXrcGCtw',
        ),
      ),
    ).toBe('ERR_DNS_BAD_ROOT')
    // A 64-byte signature: the recovery byte is missing.
    expect(
      code(() =>
        parseRoot(
          'enrtree-root:v1 e=TO4Q75OQ2N7DX4EOOR7X66A6OM l=TO4Q75OQ2N7DX4EOOR7X66A6OM seq=3 sig=N-YY6UB9xD0hFx1Gmnt7v0RfSxch5tKyry2SRDoLx7B4GfPXagwLxQqyf7gAMvApFn_ORwZQekMWa_pXrcGCtw',
        ),
      ),
    ).toBe('ERR_DNS_BAD_ROOT')
    const ok = parseRoot(
      'enrtree-root:v1 e=QFT4PBCRX4XQCV3VUYJ6BTCEPU l=JGUFMSAGI7KZYB3P7IZW4S5Y3A seq=3 sig=3FmXuVwpa8Y7OstZTx9PIb1mt8FrW7VpDOFv4AaGCsZ2EIHmhraWhe4NxYhQDlw5MjeFXYMbJjsPeKlHzmJREQE',
    )
    expect(ok.seq).toBe(3)
    expect(ok.signature.length).toBe(65)
    expect(code(() => parseRoot(`${formatRoot(ok)} extra`))).toBe('ERR_DNS_BAD_ROOT')
    expect(code(() => parseRoot(formatRoot(ok).replace('e=QFT4', 'e=qft4')))).toBe(
      'ERR_DNS_BAD_ROOT',
    )
  })

  it('branches and records', () => {
    expect(code(() => parseEntry('enrtree-branch:1,2'))).toBe('ERR_DNS_BAD_ENTRY')
    expect(code(() => parseEntry(`enrtree-branch:${'A'.repeat(53)}`))).toBe('ERR_DNS_BAD_ENTRY')
    expect(code(() => parseEntry('enr:-----'))).toBe('ERR_DNS_BAD_ENTRY')
    expect(parseEntry('enrtree-branch:')).toEqual({ kind: 'branch', children: [] })
    expect(parseEntry('v=spf1 -all')).toBeUndefined()
    expect(isValidHash('AAAAAAAAAAAAAAAAAAAA')).toBe(true) // 12 bytes
    expect(isValidHash('AAAAAAAAAAAAAAAAAA')).toBe(false) // 11 bytes
  })
})
