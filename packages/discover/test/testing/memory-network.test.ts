import { flush } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { MemoryNetwork } from '../../src/testing/index.js'

describe('MemoryNetwork', () => {
  it('delivers copies to the bound address and drops what nobody hears', async () => {
    const net = new MemoryNetwork()
    const a = net.bind()
    const b = net.bind({ ip: '::ffff:127.0.0.1' })
    expect(b.address.ip).toBe('127.0.0.1')
    expect(a.address.port).not.toBe(b.address.port)
    const got: [Uint8Array, string][] = []
    b.onMessage((d, from) => got.push([d, `${from.ip}:${from.port}`]))
    const data = new Uint8Array([1, 2, 3])
    a.send(data, b.address)
    data[0] = 9
    a.send(data, { ip: '127.0.0.1', port: 1 })
    await flush()
    expect(got).toEqual([[new Uint8Array([1, 2, 3]), `127.0.0.1:${a.address.port}`]])
    expect([net.delivered, net.dropped]).toEqual([1, 1])
    await b.close()
    a.send(data, b.address)
    await flush()
    expect(got).toHaveLength(1)
    expect(net.size).toBe(1)
    await a.close()
  })

  it('applies the drop filter', async () => {
    const net = new MemoryNetwork({ drop: (d) => d[0] === 0 })
    const a = net.bind()
    const b = net.bind()
    let n = 0
    b.onMessage(() => n++)
    a.send(new Uint8Array([0]), b.address)
    a.send(new Uint8Array([1]), b.address)
    await flush()
    expect(n).toBe(1)
    expect(() => net.bind(b.address)).toThrow()
    await Promise.all([a.close(), b.close()])
  })
})
