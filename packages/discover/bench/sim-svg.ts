// A dependency-free SVG of a simulator run: table fill over virtual time (left) and the
// histogram of lookup rounds (right).
interface FillPoint {
  t: number
  mean: number
  p10: number
  min: number
}
export interface SimPlotInput {
  nodes: number
  table: { fill: FillPoint[] }
  lookups: { rounds: { histogram: Record<string, number> }; true16: { meanShare: number } }
}

const W = 900
const H = 360
const PAD = { l: 50, r: 20, t: 40, b: 45 }
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')

function axes(x0: number, w: number, h: number, xl: string, yl: string): string {
  const y1 = PAD.t + h
  return [
    `<line x1="${x0}" y1="${y1}" x2="${x0 + w}" y2="${y1}" stroke="#333"/>`,
    `<line x1="${x0}" y1="${PAD.t}" x2="${x0}" y2="${y1}" stroke="#333"/>`,
    `<text x="${x0 + w / 2}" y="${H - 8}" text-anchor="middle">${esc(xl)}</text>`,
    `<text x="${x0 - 38}" y="${PAD.t + h / 2}" transform="rotate(-90 ${x0 - 38} ${PAD.t + h / 2})" text-anchor="middle">${esc(yl)}</text>`,
  ].join('')
}

function ticks(x0: number, w: number, h: number, xmax: number, ymax: number): string {
  const out: string[] = []
  for (let i = 0; i <= 4; i++) {
    const y = PAD.t + h - (h * i) / 4
    const x = x0 + (w * i) / 4
    out.push(
      `<text x="${x0 - 6}" y="${y + 4}" text-anchor="end">${Math.round((ymax * i) / 4)}</text>`,
    )
    out.push(
      `<text x="${x}" y="${PAD.t + h + 16}" text-anchor="middle">${Math.round((xmax * i) / 4)}</text>`,
    )
  }
  return out.join('')
}

export function simSvg(r: SimPlotInput): string {
  const pw = (W - PAD.l * 2 - PAD.r * 2) / 2
  const ph = H - PAD.t - PAD.b
  const fill = r.table.fill
  const tmax = Math.max(1, ...fill.map((f) => f.t))
  const ymax = Math.max(1, ...fill.map((f) => f.mean)) * 1.1
  const line = (key: 'mean' | 'p10' | 'min', color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${fill
      .map(
        (f) =>
          `${(PAD.l + (f.t / tmax) * pw).toFixed(1)},${(PAD.t + ph - (f[key] / ymax) * ph).toFixed(1)}`,
      )
      .join(' ')}"/>`
  const left = [
    axes(PAD.l, pw, ph, 'virtual time (s)', 'table entries per node'),
    ticks(PAD.l, pw, ph, tmax, ymax),
    line('mean', '#1f77b4'),
    line('p10', '#ff7f0e'),
    line('min', '#d62728'),
    `<text x="${PAD.l + 10}" y="${PAD.t + 14}" fill="#1f77b4">mean</text>`,
    `<text x="${PAD.l + 60}" y="${PAD.t + 14}" fill="#ff7f0e">10th percentile</text>`,
    `<text x="${PAD.l + 170}" y="${PAD.t + 14}" fill="#d62728">min</text>`,
  ]
  const hist = r.lookups.rounds.histogram
  const keys = Object.keys(hist).map(Number)
  const maxRound = Math.max(1, ...keys)
  const hmax = Math.max(1, ...Object.values(hist)) * 1.1
  const x0 = PAD.l * 2 + PAD.r + pw
  const bw = pw / (maxRound + 1)
  const bars = []
  for (let k = 1; k <= maxRound; k++) {
    const c = hist[k] ?? 0
    const bh = (c / hmax) * ph
    const x = x0 + (k - 0.5) * bw
    bars.push(
      `<rect x="${x.toFixed(1)}" y="${(PAD.t + ph - bh).toFixed(1)}" width="${(bw * 0.8).toFixed(1)}" height="${bh.toFixed(1)}" fill="#2ca02c"/>`,
    )
    bars.push(
      `<text x="${(x + bw * 0.4).toFixed(1)}" y="${PAD.t + ph + 16}" text-anchor="middle">${k}</text>`,
    )
    if (c > 0)
      bars.push(
        `<text x="${(x + bw * 0.4).toFixed(1)}" y="${(PAD.t + ph - bh - 4).toFixed(1)}" text-anchor="middle">${c}</text>`,
      )
  }
  const right = [
    `<line x1="${x0}" y1="${PAD.t + ph}" x2="${x0 + pw}" y2="${PAD.t + ph}" stroke="#333"/>`,
    `<line x1="${x0}" y1="${PAD.t}" x2="${x0}" y2="${PAD.t + ph}" stroke="#333"/>`,
    `<text x="${x0 + pw / 2}" y="${H - 8}" text-anchor="middle">lookup rounds (hops)</text>`,
    `<text x="${x0 - 30}" y="${PAD.t + ph / 2}" transform="rotate(-90 ${x0 - 30} ${PAD.t + ph / 2})" text-anchor="middle">lookups</text>`,
    ...bars,
  ]
  const title = `discv4 simulator: ${r.nodes} nodes, 3 bootnodes; lookups find ${(r.lookups.true16.meanShare * 100).toFixed(1)} % of the true 16 closest`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    ...left,
    ...right,
    '</svg>',
    '',
  ].join('\n')
}
