import { encodeList, encodeUint, toHex as hex } from '@x/core'
import { describe, expect, it } from 'vitest'
import { devnet, mainnet } from '../src/chain.js'
import { EthError } from '../src/errors.js'
import { decodeHeader, encodeHeader, headerHash, headerNumber } from '../src/header.js'

describe('block header', () => {
  it('mainnet genesis header hashes to the mainnet genesis hash', () => {
    const raw = encodeHeader(mainnet.genesisHeader!)
    expect(hex(headerHash(raw))).toBe(hex(mainnet.genesisHash))
    expect(decodeHeader(raw)).toEqual(mainnet.genesisHeader)
    expect(headerNumber(raw)).toBe(0)
  })
  it('devnet genesis header hashes to the devnet genesis hash', () => {
    expect(hex(headerHash(encodeHeader(devnet.genesisHeader!)))).toBe(hex(devnet.genesisHash))
  })
  it('round-trips London and later fields', () => {
    const h = {
      ...devnet.genesisHeader!,
      number: 12_965_000,
      baseFee: 7n,
      extraFields: [encodeUint(1), encodeList([])],
    }
    const raw = encodeHeader(h)
    expect(decodeHeader(raw)).toEqual(h)
    expect(headerNumber(raw)).toBe(12_965_000)
  })
  it('rejects short headers and bad fields', () => {
    expect(() => decodeHeader(encodeList([encodeUint(1)]))).toThrow(EthError)
    const h = encodeHeader({ ...devnet.genesisHeader!, coinbase: new Uint8Array(19) })
    expect(() => decodeHeader(h)).toThrow(EthError)
  })
})
