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

  it('new UDPv4 names what is wrong in its options: key, port, advertised IP', () => {
    const privateKey = generatePrivateKey()
    expect(() => new UDPv4({ privateKey: new Uint8Array(32) })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_PRIVATE_KEY' }),
    )
    expect(() => new UDPv4({ privateKey, port: 70_000 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_PORT' }),
    )
    expect(() => new UDPv4({ privateKey, ip: 'not an ip' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_IP' }),
    )
  })

  it('concurrent start() calls bind one socket, and stop() closes it', async () => {
    const before = sockets.length
    const udp = new UDPv4({ privateKey: generatePrivateKey(), host: '127.0.0.1', ntp: false })
    await Promise.all([udp.start(), udp.start()])
    expect(sockets.length).toBe(before + 1)
    await udp.stop()
    await settle()
    expect(sockets.at(-1)?.closed).toBe(true)
  })

  it('stop() during start() leaves no socket open and the service stopped', async () => {
    const udp = new UDPv4({ privateKey: generatePrivateKey(), host: '127.0.0.1', ntp: false })
    const starting = udp.start()
    await udp.stop()
    await starting
    await settle()
    expect(sockets.at(-1)?.closed).toBe(true)
    expect(() => udp.self).toThrow(expect.objectContaining({ code: 'ERR_NOT_STARTED' }))
    const other = new UDPv4({ privateKey: generatePrivateKey(), host: '127.0.0.1', ntp: false })
    await other.start()
    await expect(udp.ping(other.self)).rejects.toMatchObject({ code: 'ERR_CLOSED' })
    await other.stop()
  })

  it('UDPv4.start closes the socket it bound when making the record fails', async () => {
    // A negative sequence number cannot be encoded: the record fails after the bind.
    const udp = new UDPv4({
      privateKey: generatePrivateKey(),
      host: '127.0.0.1',
      ntp: false,
      enrSeq: -1n,
    })
    await expect(udp.start()).rejects.toThrow()
    await settle()
    expect(sockets.at(-1)?.closed).toBe(true)
    await udp.stop()
  })
})
