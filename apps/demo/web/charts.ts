import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { Snapshot } from './types.js'

/** Samples kept per timeline (oldest dropped first). */
const maxSamples = 600

const palette = (i: number) => `hsl(${(i * 137.5) % 360}, 65%, 60%)`

/** Head height and peer count per node over time, from the aggregator's heartbeats. */
export class Timeline {
  readonly #times: number[] = []
  readonly #height = new Map<string, (number | null)[]>()
  readonly #peers = new Map<string, (number | null)[]>()
  #charts: [uPlot, uPlot] | undefined
  #names: string[] = []
  readonly #els: [HTMLElement, HTMLElement]

  constructor(heightEl: HTMLElement, peersEl: HTMLElement) {
    this.#els = [heightEl, peersEl]
  }

  /** Loads the server's history: per node [t, height, peerCount] samples. */
  load(history: Record<string, [number, number, number][]>): void {
    const byTime = new Map<number, Map<string, [number, number]>>()
    for (const [name, samples] of Object.entries(history)) {
      for (const [t, h, p] of samples) {
        const sec = Math.round(t / 1000)
        const row = byTime.get(sec) ?? new Map()
        row.set(name, [h, p])
        byTime.set(sec, row)
      }
    }
    for (const sec of [...byTime.keys()].sort((a, b) => a - b)) {
      const row = byTime.get(sec)!
      this.#push(sec, (n) => row.get(n))
    }
  }

  add(s: Snapshot): void {
    const byName = new Map(s.nodes.map((n) => [n.name, n]))
    this.#push(
      Math.round(s.t / 1000),
      (name) => {
        const n = byName.get(name)
        return n && n.status !== 'stopped' && n.height !== null
          ? [n.height, n.peers.length]
          : undefined
      },
      [...byName.keys()],
    )
  }

  #push(sec: number, get: (name: string) => [number, number] | undefined, names?: string[]): void {
    if (this.#times.length > 0 && sec <= this.#times[this.#times.length - 1]!) return
    for (const n of names ?? []) {
      if (!this.#height.has(n)) {
        this.#height.set(
          n,
          this.#times.map(() => null),
        )
        this.#peers.set(
          n,
          this.#times.map(() => null),
        )
      }
    }
    this.#times.push(sec)
    for (const [name, series] of this.#height) {
      const v = get(name)
      series.push(v ? v[0] : null)
      this.#peers.get(name)?.push(v ? v[1] : null)
    }
    if (this.#times.length > maxSamples) {
      this.#times.shift()
      for (const s of [...this.#height.values(), ...this.#peers.values()]) s.shift()
    }
  }

  draw(): void {
    const names = [...this.#height.keys()]
    if (!this.#charts || names.join() !== this.#names.join()) {
      for (const c of this.#charts ?? []) c.destroy()
      this.#names = names
      const opts = (title: string, el: HTMLElement): uPlot =>
        new uPlot(
          {
            title,
            width: el.clientWidth || 500,
            height: 160,
            legend: { show: names.length <= 12 },
            series: [{}, ...names.map((n, i) => ({ label: n, stroke: palette(i), width: 1.5 }))],
            axes: [{ stroke: '#aaa' }, { stroke: '#aaa' }],
          },
          [[], ...names.map(() => [])],
          el,
        )
      this.#charts = [opts('head height', this.#els[0]), opts('peers', this.#els[1])]
    }
    const [h, p] = this.#charts
    h.setData([this.#times, ...names.map((n) => this.#height.get(n) ?? [])])
    p.setData([this.#times, ...names.map((n) => this.#peers.get(n) ?? [])])
  }
}

/** Min / median / max of each node's peer RTTs (ms). */
export class RttDistribution {
  readonly #el: HTMLElement
  #chart: uPlot | undefined
  #names: string[] = []

  constructor(el: HTMLElement) {
    this.#el = el
  }

  draw(s: Snapshot): void {
    const names = s.nodes.map((n) => n.name)
    const stats = s.nodes.map((n) => {
      const rtts = n.peers.flatMap((p) => (p.rtt === null ? [] : [p.rtt])).sort((a, b) => a - b)
      if (rtts.length === 0) return [null, null, null] as const
      return [rtts[0]!, rtts[Math.floor(rtts.length / 2)]!, rtts[rtts.length - 1]!] as const
    })
    this.#names = names
    const data: uPlot.AlignedData = [
      names.map((_, i) => i),
      stats.map((x) => x[0]),
      stats.map((x) => x[1]),
      stats.map((x) => x[2]),
    ]
    if (!this.#chart) {
      const points = (stroke: string, size: number) => ({
        stroke,
        width: 0,
        points: { show: true, size, fill: stroke },
        paths: () => null,
      })
      this.#chart = new uPlot(
        {
          width: this.#el.clientWidth || 500,
          height: 200,
          scales: { x: { time: false } },
          series: [
            {},
            { label: 'min', ...points('#2e8b57', 6) },
            { label: 'median', ...points('#8fb3d9', 8) },
            { label: 'max', ...points('#c0392b', 6) },
          ],
          axes: [
            { stroke: '#aaa', values: (_u, ticks) => ticks.map((t) => this.#names[t] ?? '') },
            { stroke: '#aaa', label: 'ms' },
          ],
        },
        data,
        this.#el,
      )
    } else this.#chart.setData(data)
  }
}
