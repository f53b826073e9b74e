import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { IpTracker, ipTrackerDefaults } from '../../src/index.js'

const ep = (ip: string, udp = 30303) => ({ ip, udp })

describe('IpTracker (go-ethereum netutil.IPTracker)', () => {
  it("has go-ethereum's constants", () => {
    expect(ipTrackerDefaults.windowMs).toBe(5 * 60_000)
    expect(ipTrackerDefaults.contactWindowMs).toBe(10 * 60_000)
    expect(ipTrackerDefaults.minStatements).toBe(10)
  })

  it('predicts nothing below minStatements, then the majority endpoint', () => {
    const t = new IpTracker(new ManualClock(), { minStatements: 3 })
    t.addStatement('10.0.0.1', ep('10.9.9.9'))
    t.addStatement('10.0.0.2', ep('10.9.9.9'))
    t.addStatement('10.0.0.3', ep('10.8.8.8'))
    expect(t.predictEndpoint()).toBeUndefined()
    t.addStatement('10.0.0.4', ep('10.9.9.9'))
    expect(t.predictEndpoint()).toEqual(ep('10.9.9.9'))
    // The port is part of the endpoint.
    for (const h of ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4']) {
      t.addStatement(h, ep('10.9.9.9', 1234))
    }
    expect(t.predictEndpoint()).toEqual(ep('10.9.9.9', 1234))
  })

  it('counts a statement once per remote IP: a host repeating itself is one voice', () => {
    const t = new IpTracker(new ManualClock(), { minStatements: 2 })
    for (let i = 0; i < 5; i++) t.addStatement('10.0.0.1', ep('10.9.9.9'))
    expect(t.size).toBe(1)
    expect(t.predictEndpoint()).toBeUndefined()
    // A host's new statement replaces its old one.
    t.addStatement('10.0.0.2', ep('10.9.9.9'))
    t.addStatement('10.0.0.1', ep('10.8.8.8'))
    expect(t.predictEndpoint()).toBeUndefined()
  })

  it('forgets statements older than the window', async () => {
    const clock = new ManualClock()
    const t = new IpTracker(clock, { minStatements: 2 })
    t.addStatement('10.0.0.1', ep('10.9.9.9'))
    await clock.advance(ipTrackerDefaults.windowMs - 1000)
    t.addStatement('10.0.0.2', ep('10.9.9.9'))
    expect(t.predictEndpoint()).toEqual(ep('10.9.9.9'))
    await clock.advance(2000)
    expect(t.size).toBe(1)
    expect(t.predictEndpoint()).toBeUndefined()
  })

  it('predicts full-cone NAT from a statement by a host we had not contacted first', async () => {
    const clock = new ManualClock()
    const t = new IpTracker(clock)
    t.addContact('10.0.0.1')
    await clock.advance(10)
    t.addStatement('10.0.0.1', ep('10.9.9.9'))
    expect(t.predictFullConeNat()).toBe(false)
    t.addStatement('10.0.0.2', ep('10.9.9.9'))
    expect(t.predictFullConeNat()).toBe(true)
  })

  it('is bounded: beyond maxHosts the oldest statement goes', () => {
    const t = new IpTracker(new ManualClock(), { maxHosts: 3, minStatements: 1 })
    for (let i = 1; i <= 5; i++) t.addStatement(`10.0.0.${i}`, ep(`10.9.9.${i}`))
    expect(t.size).toBe(3)
  })
})
