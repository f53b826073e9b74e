import { RttDistribution, Timeline } from './charts.js'
import { Topology } from './graph.js'
import { drawHeatmap } from './heatmap.js'
import { fillSelect, renderAlerts, renderNode } from './panel.js'
import './style.css'
import type { Snapshot } from './types.js'

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

const topology = new Topology($('graph'))
const timeline = new Timeline($('timeline-height'), $('timeline-peers'))
const rttDist = new RttDistribution($('rtt-dist'))
const nodeSelect = $<HTMLSelectElement>('node-select')
const partA = $<HTMLSelectElement>('part-a')
const partB = $<HTMLSelectElement>('part-b')
let last: Snapshot | undefined

// For tests and the curious: the graph and the latest snapshot.
Object.assign(window, { dashboard: { cy: topology.cy, snapshot: () => last } })

function render(s: Snapshot): void {
  last = s
  const names = s.nodes.map((n) => n.name)
  fillSelect(nodeSelect, names)
  fillSelect(partA, names)
  fillSelect(partB, names)
  if (partB.value === partA.value && names[1]) partB.value = names[1]
  topology.update(s)
  drawHeatmap($('heatmap'), s)
  rttDist.draw(s)
  timeline.add(s)
  timeline.draw()
  renderAlerts($('alerts'), $('active-alerts'), s)
  renderNode(
    $('node-info'),
    s.nodes.find((n) => n.name === nodeSelect.value),
  )
  const running = s.nodes.filter((n) => n.status === 'running').length
  const mesh = s.fullMeshMs === null ? 'not yet' : `${(s.fullMeshMs / 1000).toFixed(1)} s`
  const alert = s.firstAlertMs === null ? 'none yet' : `${(s.firstAlertMs / 1000).toFixed(1)} s`
  $('summary').textContent =
    `${running}/${s.nodes.length} running · ${s.links.length} RLPx links · ` +
    `${s.meshComplete ? 'full mesh' : 'partial mesh'} · full mesh at ${mesh} · first alert at ${alert}`
}

async function control(body: object): Promise<void> {
  const res = await fetch('api/control', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const r = (await res.json()) as { ok: boolean; error?: string }
  if (!r.ok) alert(r.error)
}

topology.onSelect = (name) => {
  nodeSelect.value = name
  if (last) render(last)
}
nodeSelect.addEventListener('change', () => {
  topology.select(nodeSelect.value)
  if (last) render(last)
})
$('stop').addEventListener('click', () => control({ op: 'stop', node: nodeSelect.value }))
$('restart').addEventListener('click', () => control({ op: 'restart', node: nodeSelect.value }))
$('add').addEventListener('click', () => control({ op: 'add' }))
$('partition').addEventListener('click', () =>
  control({ op: 'partition', a: partA.value, b: partB.value }),
)
$('heal').addEventListener('click', () => control({ op: 'heal', a: partA.value, b: partB.value }))
$<HTMLInputElement>('layer-table').addEventListener('change', (e) => {
  topology.showTable = (e.target as HTMLInputElement).checked
})

const state = (await (await fetch('api/state')).json()) as Snapshot
if (state.timeline) timeline.load(state.timeline)
render(state)
new EventSource('api/events').onmessage = (e) => render(JSON.parse(e.data as string) as Snapshot)
