// The soak's plot: one SVG, three panels sharing the time axis — memory (RSS, heap), open file
// descriptors, event-loop delay (p99 and max per sample interval) — of the listening process.

export interface SoakSample {
  /** Seconds since the load started. */
  t: number
  rss: number
  heapUsed: number
  fds: number
  loopDelayP99Ms: number
  loopDelayMaxMs: number
}

interface Series {
  label: string
  color: string
  values: number[]
}

const W = 760
const PANEL = 170
const LEFT = 70
const RIGHT = 20
const TOP = 30

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))

function panel(y0: number, title: string, unit: string, ts: number[], series: Series[]): string {
  const h = PANEL - 40
  const tMax = Math.max(1, ts.at(-1) ?? 1)
  const all = series.flatMap((s) => s.values)
  const vMax = Math.max(1e-9, ...all) * 1.1
  const x = (t: number) => LEFT + ((W - LEFT - RIGHT) * t) / tMax
  const y = (v: number) => y0 + h - (h * v) / vMax
  const parts = [
    `<text x="${LEFT}" y="${y0 - 8}" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${LEFT}" y1="${y0 + h}" x2="${W - RIGHT}" y2="${y0 + h}" stroke="#999"/>`,
    `<line x1="${LEFT}" y1="${y0}" x2="${LEFT}" y2="${y0 + h}" stroke="#999"/>`,
    `<text x="${LEFT - 6}" y="${y0 + 4}" font-size="11" text-anchor="end">${fmt(vMax)} ${esc(unit)}</text>`,
    `<text x="${LEFT - 6}" y="${y0 + h}" font-size="11" text-anchor="end">0</text>`,
  ]
  series.forEach((s, i) => {
    const pts = s.values.map((v, j) => `${x(ts[j]!).toFixed(1)},${y(v).toFixed(1)}`).join(' ')
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts}"/>`)
    parts.push(
      `<text x="${W - RIGHT - 150}" y="${y0 + 12 + i * 14}" font-size="11" fill="${s.color}">${esc(s.label)}</text>`,
    )
  })
  return parts.join('\n')
}

/** The plot for `samples`, with `title` (run parameters) at the top. */
export function soakSvg(samples: SoakSample[], title: string): string {
  const ts = samples.map((s) => s.t)
  const MiB = 2 ** 20
  const height = TOP + 3 * PANEL + 30
  const minutes = (ts.at(-1) ?? 0) / 60
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="18" font-size="13">${esc(title)}</text>`,
    panel(TOP + 25, 'memory of the listening process', 'MiB', ts, [
      { label: 'RSS', color: '#1f77b4', values: samples.map((s) => s.rss / MiB) },
      { label: 'heap used', color: '#ff7f0e', values: samples.map((s) => s.heapUsed / MiB) },
    ]),
    panel(TOP + 25 + PANEL, 'open file descriptors', 'FDs', ts, [
      { label: 'FDs', color: '#2ca02c', values: samples.map((s) => s.fds) },
    ]),
    panel(TOP + 25 + 2 * PANEL, 'event-loop delay per interval', 'ms', ts, [
      { label: 'p99', color: '#9467bd', values: samples.map((s) => s.loopDelayP99Ms) },
      { label: 'max', color: '#d62728', values: samples.map((s) => s.loopDelayMaxMs) },
    ]),
    `<text x="${W - RIGHT}" y="${height - 8}" font-size="11" text-anchor="end">time, ${minutes.toFixed(1)} min in all</text>`,
    '</svg>',
    '',
  ].join('\n')
}
