import { started } from '@x/core'
import { generatePrivateKey, parseEnode, UDPv4 } from '@x/discover'
import { devnet, ethEnrKey, forkIdAt, forkIdFromEnrEntry } from '@x/eth'
import { describe, expect, it } from 'vitest'
import { appFixture } from './harness.js'

const apps = appFixture()

describe('node-app record', () => {
  it('carries the eth entry with our fork id (EIP-2124), so go-ethereum will dial us', async () => {
    const app = apps.spawn('n', '--network', 'devnet', '--extip', '127.0.0.1')
    const node = parseEnode(String((await app.waitFor('node started')).enode))
    const udp = await started(
      new UDPv4({
        privateKey: generatePrivateKey(),
        host: '127.0.0.1',
        ntp: false,
      }),
    )
    try {
      const record = await udp.requestENR(node)
      expect(forkIdFromEnrEntry(record.entries.get(ethEnrKey))).toEqual(forkIdAt(devnet, 0, 0))
    } finally {
      await udp.stop()
    }
  })
})
