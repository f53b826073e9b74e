import cytoscape, { type Core, type ElementDefinition } from 'cytoscape'
import type { Snapshot } from './types.js'

/** Layouts at most this often when only links changed (a new or removed node lays out at once). */
const relayoutGapMs = 4_000

const style: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(id)',
      color: '#ddd',
      'font-size': 11,
      'text-valign': 'center',
      'text-halign': 'center',
      width: 26,
      height: 26,
      'background-color': '#777',
      'border-width': 2,
      'border-color': '#222',
    },
  },
  { selector: 'node.ok', style: { 'background-color': '#2e8b57' } },
  { selector: 'node.behind', style: { 'background-color': '#d4a017' } },
  { selector: 'node.silent', style: { 'background-color': '#c0392b' } },
  { selector: 'node.starting', style: { 'background-color': '#4a78a8' } },
  { selector: 'node.stopped', style: { 'background-color': '#444', opacity: 0.6 } },
  { selector: 'node:selected', style: { 'border-color': '#fff', 'border-width': 3 } },
  {
    selector: 'edge.rlpx',
    style: { 'curve-style': 'haystack', width: 1.5, 'line-color': '#8fb3d9', opacity: 0.8 },
  },
  {
    selector: 'edge.table',
    style: {
      'curve-style': 'haystack',
      width: 1,
      'line-color': '#888',
      'line-style': 'dashed',
      opacity: 0.35,
    },
  },
]

/** The topology graph: devnet nodes, RLPx links and (optionally) discovery-table knowledge. */
export class Topology {
  readonly cy: Core
  #lastLayout = 0
  #showTable = true
  onSelect: (name: string) => void = () => {}

  constructor(container: HTMLElement) {
    this.cy = cytoscape({ container, style, wheelSensitivity: 0.3, minZoom: 0.2, maxZoom: 3 })
    this.cy.on('tap', 'node', (e) => this.onSelect(e.target.id() as string))
  }

  set showTable(on: boolean) {
    this.#showTable = on
    this.cy.edges('.table').style('display', on ? 'element' : 'none')
  }

  select(name: string): void {
    this.cy.nodes().unselect()
    this.cy.getElementById(name).select()
  }

  update(s: Snapshot): void {
    const cy = this.cy
    const want = new Map<string, ElementDefinition>()
    for (const n of s.nodes) {
      want.set(n.name, { group: 'nodes', data: { id: n.name }, classes: nodeClass(n) })
    }
    const rlpx = new Set<string>()
    for (const [a, b] of s.links) {
      const id = `r:${a}:${b}`
      rlpx.add(`${a} ${b}`)
      want.set(id, { group: 'edges', data: { id, source: a, target: b }, classes: 'rlpx' })
    }
    for (const n of s.nodes) {
      if (n.status === 'stopped') continue
      for (const t of n.table) {
        const [a, b] = [n.name, t].sort() as [string, string]
        const id = `t:${a}:${b}`
        if (rlpx.has(`${a} ${b}`) || want.has(id) || !want.has(t)) continue
        want.set(id, { group: 'edges', data: { id, source: a, target: b }, classes: 'table' })
      }
    }
    let nodesChanged = false
    let edgesChanged = false
    cy.batch(() => {
      cy.elements().forEach((el) => {
        const w = want.get(el.id())
        if (!w) {
          if (el.isNode()) nodesChanged = true
          else edgesChanged = true
          cy.remove(el)
        } else if (el.isNode()) el.classes(w.classes ?? '')
      })
      const added = [...want.values()].filter((w) => cy.getElementById(String(w.data.id)).empty())
      if (added.some((w) => w.group === 'nodes')) nodesChanged = true
      if (added.length > 0) edgesChanged = true
      cy.add(added)
      cy.edges('.table').style('display', this.#showTable ? 'element' : 'none')
    })
    const now = Date.now()
    if (nodesChanged || (edgesChanged && now - this.#lastLayout > relayoutGapMs)) {
      this.#lastLayout = now
      cy.layout({
        name: 'cose',
        animate: false,
        randomize: nodesChanged && cy.nodes().length < 3,
        nodeRepulsion: () => 60_000,
        idealEdgeLength: () => 60,
        numIter: 400,
        fit: true,
        padding: 20,
      }).run()
    }
  }
}

function nodeClass(n: Snapshot['nodes'][number]): string {
  if (n.status === 'stopped') return n.health === 'silent' ? 'stopped silent' : 'stopped'
  if (n.status === 'starting') return 'starting'
  return n.health === 'unknown' ? 'starting' : n.health
}
