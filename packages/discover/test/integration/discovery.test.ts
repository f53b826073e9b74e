import { started } from '@x/core'
import { afterEach, describe, expect, it } from 'vitest'
import { Discovery, generatePrivateKey } from '../../src/index.js'

// The facade as node-app runs it: real UDP sockets on 127.0.0.1, the system clock.

const running: Discovery[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()))
})

async function start(bootnodes: string[] = []): Promise<Discovery> {
  const d = await started(
    new Discovery({
      privateKey: generatePrivateKey(),
      host: '127.0.0.1',
      port: 0,
      bootnodes,
      ntp: false,
    }),
  )
  running.push(d)
  return d
}

describe('Discovery over real UDP', () => {
  it('three instances find each other through one bootnode', async () => {
    const n1 = await start()
    const boot = n1.udp.enr.toText()
    const n2 = await start([boot])
    const n3 = await start([boot])
    await Promise.all([n2.refresh(), n3.refresh()])
    expect(n1.table.has(n2.self.idHex) && n1.table.has(n3.self.idHex)).toBe(true)
    n3.table.delete(n2.self.idHex)
    const found = await n3.resolve(n2.self.id)
    expect(found?.idHex).toBe(n2.self.idHex)
    expect(found?.udp).toBe(n2.self.udp)
    const s = n3.stats()
    expect(s.tableSize).toBeGreaterThanOrEqual(1)
    expect(s.bonded).toBeGreaterThanOrEqual(1)
  })

  it('closes its socket: the port can be bound again', async () => {
    const d = await start()
    const port = d.self.udp
    await d.stop()
    running.splice(0)
    const again = await started(
      new Discovery({
        privateKey: generatePrivateKey(),
        host: '127.0.0.1',
        port,
        ntp: false,
      }),
    )
    running.push(again)
    expect(again.self.udp).toBe(port)
  })
})
