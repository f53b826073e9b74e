// The benchmark harness's arithmetic (bench/harness.ts) and the soak's duration flag: the
// statistics a result reports, the alternation of the implementations' order, quantiles.
import { expect, test } from 'vitest'
import { alternate, quantile, ratio, stats } from '../bench/harness.ts'
import { parseDuration } from '../packages/p2p/bench/soak.ts'

test('stats: min, median (mean of the middle two when even), max, runs in measured order', () => {
  expect(stats([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3, runs: [3, 1, 2] })
  expect(stats([4, 1, 2, 3]).median).toBe(2.5)
  expect(() => stats([])).toThrow(/no measurements/)
})

test('alternate: forward on even repetitions, reversed on odd ones', () => {
  const impls = ['a', 'b', 'c']
  expect(alternate(impls, 0)).toEqual(['a', 'b', 'c'])
  expect(alternate(impls, 1)).toEqual(['c', 'b', 'a'])
  expect(alternate(impls, 2)).toEqual(['a', 'b', 'c'])
  expect(impls).toEqual(['a', 'b', 'c'])
})

test('quantile by nearest rank; ratio of medians', () => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i)
  expect(quantile(xs, 0.5)).toBe(50)
  expect(quantile(xs, 0.99)).toBe(99)
  expect(quantile([7], 0.99)).toBe(7)
  expect(ratio(stats([10, 20, 30]), stats([4, 5]))).toBe(4.44)
})

test('soak --duration: hours, minutes, seconds, bare seconds; anything else is an error', () => {
  expect(parseDuration('1h')).toBe(3_600_000)
  expect(parseDuration('2m')).toBe(120_000)
  expect(parseDuration('90s')).toBe(90_000)
  expect(parseDuration('45')).toBe(45_000)
  expect(() => parseDuration('2 min')).toThrow(/bad --duration/)
})
