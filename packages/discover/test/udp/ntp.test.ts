import { createSocket, type Socket } from 'node:dgram'
import { type LogFields, type Logger, started } from '@x/core'
import { afterEach, describe, expect, it } from 'vitest'
import { generatePrivateKey } from '../../src/index.js'
import { MemoryNetwork } from '../../src/testing/index.js'
import { sntpOffset, UDPv4 } from '../../src/udp/index.js'
import { readNtpTime, sntpRequest, writeNtpTime } from '../../src/udp/ntp.js'
import { encodePacket, PacketType } from '../../src/wire/index.js'

/** A local SNTP responder whose clock is `skewMs` ahead of ours. */
async function sntpServer(skewMs: number): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket('udp4')
  socket.on('message', (msg, rinfo) => {
    const reply = new Uint8Array(48)
    reply[0] = (4 << 3) | 4 // version 4, mode 4 (server)
    reply[1] = 2 // stratum
    writeNtpTime(reply, 32, Date.now() + skewMs)
    writeNtpTime(reply, 40, Date.now() + skewMs)
    socket.send(reply, rinfo.port, rinfo.address)
    expect(msg.length).toBe(48)
  })
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r))
  return { socket, port: socket.address().port }
}

const closers: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

describe('SNTP clock-drift check', () => {
  it('round-trips NTP timestamps', () => {
    const b = new Uint8Array(48)
    writeNtpTime(b, 40, 1_700_000_000_123)
    expect(readNtpTime(b, 40)).toBeCloseTo(1_700_000_000_123, 0)
    expect(sntpRequest()[0]).toBe(0x1b)
  })

  it('measures the offset against a local responder', async () => {
    const srv = await sntpServer(60_000)
    closers.push(() => {
      srv.socket.close()
    })
    const offset = await sntpOffset({ host: '127.0.0.1', port: srv.port })
    expect(offset).toBeGreaterThan(55_000)
    expect(offset).toBeLessThan(65_000)
  })

  it('warns after 32 expired packets in a row when the clock is off by more than 10 s', async () => {
    const srv = await sntpServer(-30_000)
    closers.push(() => {
      srv.socket.close()
    })
    const warnings: { msg: string; fields?: LogFields }[] = []
    const logger: Logger = {
      debug() {},
      info() {},
      error() {},
      warn: (msg, fields) => warnings.push({ msg, fields }),
      child: () => logger,
    }
    const net = new MemoryNetwork()
    const udp = await started(
      new UDPv4({
        privateKey: generatePrivateKey(),
        transport: net.bind(),
        logger,
        ntp: { host: '127.0.0.1', port: srv.port },
      }),
    )
    closers.push(() => udp.stop())
    const drift = new Promise<number>((resolve) =>
      udp.addEventListener('clock:drift', (e) => resolve(e.detail.offsetMs), { once: true }),
    )
    const peer = net.bind()
    const key = generatePrivateKey()
    const past = Math.trunc(Date.now() / 1000) - 60
    const ep = { ip: '127.0.0.1', udp: 1, tcp: 1 }
    for (let i = 0; i < 32; i++) {
      const ping = encodePacket(
        { type: PacketType.Ping, version: 4, from: ep, to: ep, expiration: past - i },
        key,
      )
      peer.send(ping.bytes, { ip: udp.self.ip, port: udp.self.udp })
    }
    const offset = await drift
    expect(offset).toBeLessThan(-25_000)
    expect(udp.stats.dropped.ERR_EXPIRED).toBe(32)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.msg).toMatch(/clock/i)
    await peer.close()
  })

  it('rejects with ERR_SNTP when nobody answers', async () => {
    const silent = createSocket('udp4')
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r))
    closers.push(() => {
      silent.close()
    })
    await expect(
      sntpOffset({ host: '127.0.0.1', port: silent.address().port }, { timeoutMs: 50 }),
    ).rejects.toMatchObject({
      code: 'ERR_SNTP',
    })
  })
})
