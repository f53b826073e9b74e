import type { Socket } from 'node:dgram'
import { describe, expect, it, vi } from 'vitest'
import { generatePrivateKey } from '../../src/index.js'
import { bindUdp, UDPv4 } from '../../src/udp/index.js'

// Every socket bindUdp creates, with whether it was closed.
const sockets: { socket: Socket; closed: boolean }[] = []
vi.mock('node:dgram', async (importOriginal) => {
  const dgram = await importOriginal<typeof import('node:dgram')>()
  return {
    ...dgram,
    createSocket: (...args: Parameters<typeof dgram.createSocket>) => {
      const socket = dgram.createSocket(...args)
      const entry = { socket, closed: false }
      socket.once('close', () => {
        entry.closed = true
      })
      sockets.push(entry)
      return socket
    },
  }
})

const settle = () => new Promise((r) => setImmediate(r))

describe('bind failures leave no socket behind', () => {
  it('bindUdp on a port in use rejects with EADDRINUSE and closes its socket', async () => {
    const first = await bindUdp({ host: '127.0.0.1', port: 0 })
    try {
      await expect(bindUdp({ host: '127.0.0.1', port: first.address.port })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      })
      await settle()
      expect(sockets.at(-1)?.closed).toBe(true)
      expect(sockets.at(-2)?.closed).toBe(false)
    } finally {
      await first.close()
    }
  })

  it('new UDPv4 with a bad key throws before binding anything', () => {
    const before = sockets.length
    // An all-zero private key is not a valid secp256k1 key.
    expect(
      () => new UDPv4({ privateKey: new Uint8Array(32), host: '127.0.0.1', port: 0, ntp: false }),
    ).toThrow()
    expect(sockets.length).toBe(before)
  })

  it('UDPv4.start closes the socket it bound when the options are bad', async () => {
    const udp = new UDPv4({
      privateKey: generatePrivateKey(),
      host: '127.0.0.1',
      port: 0,
      ip: 'not an ip',
      ntp: false,
    })
    await expect(udp.start()).rejects.toThrow()
    await settle()
    expect(sockets.at(-1)?.closed).toBe(true)
  })
})
