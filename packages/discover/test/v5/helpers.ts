import { ManualClock } from '@x/core/testing'
import { generatePrivateKey, type Node } from '../../src/index.js'
import { MemoryNetwork } from '../../src/testing/index.js'
import type { UdpAddress } from '../../src/udp/index.js'
import { UDPv5, type UDPv5Options } from '../../src/v5/index.js'

export interface V5Harness {
  net: MemoryNetwork
  clock: ManualClock
  make(options?: Partial<UDPv5Options> & { ip?: string }): Promise<UDPv5>
  /** A raw socket on the network that records what it receives. */
  raw(ip?: string): {
    addr: UdpAddress
    received: Uint8Array[]
    send(data: Uint8Array, to: Node): void
  }
  closeAll(): Promise<void>
}

export function v5harness(
  options: { tap?: (data: Uint8Array, to: UdpAddress) => void } = {},
): V5Harness {
  const net = new MemoryNetwork({
    drop: (data, _from, to) => {
      options.tap?.(data, to)
      return false
    },
  })
  const clock = new ManualClock()
  const services: UDPv5[] = []
  const sockets: { close(): Promise<void> }[] = []
  return {
    net,
    clock,
    async make(o = {}) {
      const s = new UDPv5({
        privateKey: generatePrivateKey(),
        transport: net.bind({ ip: o.ip ?? '127.0.0.1' }),
        clock,
        ...o,
      })
      await s.start()
      services.push(s)
      return s
    },
    raw(ip = '127.0.0.1') {
      const t = net.bind({ ip })
      sockets.push(t)
      const received: Uint8Array[] = []
      t.onMessage((d) => received.push(d))
      return {
        addr: t.address,
        received,
        send: (data, to) => t.send(data, { ip: to.ip, port: to.udp }),
      }
    },
    async closeAll() {
      await Promise.all(services.map((s) => s.stop()))
      await Promise.all(sockets.map((s) => s.close()))
      services.length = 0
    },
  }
}
