import type { Snapshot } from './types.js'

/** RTT (ms) drawn fully red; loopback RTTs are usually well under it. */
const redAtMs = 20

/** The per-peer RTT heat map: row = the node that pings, column = its peer (canvas, one pass). */
export function drawHeatmap(canvas: HTMLCanvasElement, s: Snapshot): void {
  const names = s.nodes.map((n) => n.name)
  const label = 34
  const cell = Math.max(6, Math.min(22, Math.floor(560 / Math.max(1, names.length))))
  const size = label + cell * names.length
  if (canvas.width !== size) {
    canvas.width = size
    canvas.height = size
  }
  const g = canvas.getContext('2d')
  if (!g) return
  g.clearRect(0, 0, size, size)
  g.fillStyle = '#bbb'
  g.font = `${Math.min(11, cell)}px sans-serif`
  const col = new Map(names.map((n, i) => [n, i]))
  names.forEach((n, i) => {
    g.fillText(n, 2, label + i * cell + cell * 0.8)
    g.save()
    g.translate(label + i * cell + cell * 0.8, label - 2)
    g.rotate(-Math.PI / 2)
    g.fillText(n, 0, 0)
    g.restore()
  })
  s.nodes.forEach((n, row) => {
    for (const p of n.peers) {
      const c = col.get(p.name)
      if (c === undefined) continue
      g.fillStyle = p.rtt === null ? '#555' : rttColour(p.rtt)
      g.fillRect(label + c * cell, label + row * cell, cell - 1, cell - 1)
    }
  })
  canvas.title = `green 0 ms → red ≥ ${redAtMs} ms; grey: linked, no RTT yet`
}

function rttColour(ms: number): string {
  const x = Math.min(1, ms / redAtMs)
  return `hsl(${Math.round(120 * (1 - x))}, 70%, 45%)`
}
