import { started } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { Discovery, generatePrivateKey } from '@x/discover'
import { MemoryNetwork } from '@x/discover/testing'
import { describe, expect, it } from 'vitest'
import { checkReadiness, discoveryRunning } from '../src/index.js'

describe('checkReadiness', () => {
  it('gives every reason, in order', () => {
    expect(checkReadiness({ listening: false, discoveryRunning: false }, 0, 2, true)).toEqual({
      ready: false,
      reasons: ['not listening', 'discovery not running', 'fewer than minPeers (0 < 2)'],
      peers: 0,
    })
    expect(checkReadiness({ listening: true, discoveryRunning: true }, 2, 2, true)).toEqual({
      ready: true,
      reasons: [],
      peers: 2,
    })
  })

  it('can skip the discovery requirement', () => {
    expect(checkReadiness({ listening: true }, 3, 1, false).ready).toBe(true)
    expect(checkReadiness({ listening: true }, 3, 1, true).reasons).toEqual([
      'discovery not running',
    ])
  })
})

describe('discoveryRunning', () => {
  it('takes a probe method, a probe flag or a function', () => {
    let on = true
    const viaMethod = discoveryRunning({ running: () => on })
    const flag = { running: true }
    const viaFlag = discoveryRunning(flag)
    const viaFn = discoveryRunning(() => on)
    expect([viaMethod(), viaFlag(), viaFn()]).toEqual([true, true, true])
    on = false
    flag.running = false
    expect([viaMethod(), viaFlag(), viaFn()]).toEqual([false, false, false])
  })

  it('takes @x/discover’s Discovery: running until it is closed', async () => {
    const clock = new ManualClock()
    const net = new MemoryNetwork()
    const starting = started(
      new Discovery({
        privateKey: generatePrivateKey(),
        transport: net.bind(),
        clock,
        ntp: false,
      }),
    )
    await clock.advance(2_000)
    const discovery = await starting
    const running = discoveryRunning(discovery)
    const again = discoveryRunning(discovery) // two watchers see the same state
    expect(running()).toBe(true)
    await discovery.stop()
    expect([running(), again()]).toEqual([false, false])
    expect(clock.pending).toBe(0)
  })
})
