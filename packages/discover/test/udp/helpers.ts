import { started } from '@x/core'
import { ManualClock } from '@x/core/testing'
import {
  generatePrivateKey,
  MemoryNodeDB,
  type Node,
  type NodeId,
  type NodeSource,
} from '../../src/index.js'
import { MemoryNetwork } from '../../src/testing/index.js'
import { UDPv4, type UDPv4Options } from '../../src/udp/index.js'

/** A NodeSource over a fixed list (distance order is irrelevant to these tests). */
export class ListSource implements NodeSource {
  constructor(public nodes: Node[] = []) {}
  closest(_target: NodeId, n: number): Node[] {
    return this.nodes.slice(0, n)
  }
}

export interface Harness {
  net: MemoryNetwork
  clock: ManualClock
  services: UDPv4[]
  make(options?: Partial<UDPv4Options> & { ip?: string }): Promise<UDPv4>
  closeAll(): Promise<void>
}

export function harness(): Harness {
  const net = new MemoryNetwork()
  const clock = new ManualClock()
  const services: UDPv4[] = []
  return {
    net,
    clock,
    services,
    async make(options = {}) {
      const s = await started(
        new UDPv4({
          privateKey: generatePrivateKey(),
          transport: net.bind({ ip: options.ip ?? '127.0.0.1' }),
          clock,
          db: new MemoryNodeDB(),
          ntp: false,
          ...options,
        }),
      )
      services.push(s)
      return s
    },
    async closeAll() {
      await Promise.all(services.map((s) => s.stop()))
      services.length = 0
    },
  }
}
