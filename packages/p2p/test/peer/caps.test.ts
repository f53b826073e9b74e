import { describe, expect, it } from 'vitest'
import { matchProtocols, type Protocol, protocolCaps } from '../../src/index.js'

const proto = (name: string, version: number, length: number): Protocol => ({
  name,
  version,
  length,
  run: async () => {},
})

describe('matchProtocols', () => {
  it('picks the highest shared version per name and assigns offsets in name order', () => {
    const eth68 = proto('eth', 68, 17)
    const eth69 = proto('eth', 69, 18)
    const snap = proto('snap', 1, 8)
    const abc = proto('abc', 1, 3)
    const matched = matchProtocols(
      [snap, eth68, eth69, abc],
      [
        { name: 'snap', version: 1 },
        { name: 'eth', version: 69 },
        { name: 'eth', version: 68 },
        { name: 'abc', version: 1 },
        { name: 'les', version: 4 },
      ],
    )
    expect(matched.map((m) => [m.protocol, m.offset])).toEqual([
      [abc, 16],
      [eth69, 19],
      [snap, 37],
    ])
  })

  it('skips versions only one side speaks', () => {
    const matched = matchProtocols(
      [proto('eth', 68, 17), proto('eth', 70, 18)],
      [
        { name: 'eth', version: 68 },
        { name: 'eth', version: 69 },
      ],
    )
    expect(matched.map((m) => `${m.protocol.name}/${m.protocol.version}@${m.offset}`)).toEqual([
      'eth/68@16',
    ])
  })

  it('matches nothing when no name is shared', () => {
    expect(matchProtocols([proto('eth', 68, 17)], [{ name: 'les', version: 68 }])).toEqual([])
  })

  it('announces sorted caps', () => {
    expect(protocolCaps([proto('snap', 1, 8), proto('eth', 69, 18), proto('eth', 68, 17)])).toEqual(
      [
        { name: 'eth', version: 68 },
        { name: 'eth', version: 69 },
        { name: 'snap', version: 1 },
      ],
    )
  })
})
