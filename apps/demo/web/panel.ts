import type { NodeView, Snapshot } from './types.js'

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const bytes = (n: number) =>
  n < 1024
    ? `${n} B`
    : n < 1 << 20
      ? `${(n / 1024).toFixed(1)} KiB`
      : `${(n / (1 << 20)).toFixed(1)} MiB`

const uptime = (s: number | null) =>
  s === null ? '—' : s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`

/** The selected node: identity, decoded ENR, client, protocols, peers, uptime, traffic. */
export function renderNode(el: HTMLElement, n: NodeView | undefined): void {
  if (!n) {
    el.innerHTML = '<p>Select a node in the graph.</p>'
    return
  }
  const enr = Object.entries(n.enrFields)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td class="mono">${esc(v)}</td></tr>`)
    .join('')
  const peers = n.peers
    .map(
      (p) =>
        `<tr><td>${esc(p.name)}</td><td>${p.inbound ? 'in' : 'out'}</td><td>${esc(p.caps.join(' '))}</td>` +
        `<td>${p.rtt === null ? '—' : p.rtt.toFixed(2)}</td><td>${bytes(p.bytesIn)}</td><td>${bytes(p.bytesOut)}</td></tr>`,
    )
    .join('')
  el.innerHTML = `
    <table class="kv">
      <tr><th>status</th><td data-testid="node-status">${esc(n.status)} · health ${esc(n.health)}</td></tr>
      <tr><th>enode</th><td class="mono">${esc(n.enode ?? '—')}</td></tr>
      <tr><th>client</th><td>${esc(n.client ?? '—')}</td></tr>
      <tr><th>protocols</th><td>${esc(n.protocols.join(', ') || '—')}</td></tr>
      <tr><th>uptime</th><td>${uptime(n.uptimeSeconds)}</td></tr>
      <tr><th>traffic</th><td>in ${bytes(n.bytesIn)} · out ${bytes(n.bytesOut)} (message payloads)</td></tr>
      <tr><th>table</th><td>${n.table.length} nodes: ${esc(n.table.join(' '))}</td></tr>
      ${n.partitions.length > 0 ? `<tr><th>partitioned from</th><td>${esc(n.partitions.join(' '))}</td></tr>` : ''}
    </table>
    <h3>ENR</h3><table class="kv">${enr || '<tr><td>—</td></tr>'}</table>
    <h3>Peers (${n.peers.length})</h3>
    <table class="peers"><tr><th>peer</th><th>dir</th><th>caps</th><th>RTT ms</th><th>in</th><th>out</th></tr>${peers}</table>`
}

/** Alerts newest first; a silent/behind alert is "firing" until a later recovery of that node. */
export function renderAlerts(list: HTMLElement, counter: HTMLElement, s: Snapshot): void {
  const cleared = new Set<number>()
  const open = new Map<string, number>()
  s.alerts.forEach((a, i) => {
    if (a.kind === 'recovered') {
      const j = open.get(a.node)
      if (j !== undefined) cleared.add(j)
      open.delete(a.node)
    } else open.set(a.node, i)
  })
  counter.textContent = `${open.size} firing, ${s.alerts.length} in all`
  list.innerHTML = s.alerts
    .map((a, i) => {
      const state = a.kind === 'recovered' ? 'recovered' : cleared.has(i) ? 'cleared' : 'firing'
      const time = new Date(a.at).toLocaleTimeString()
      return `<li class="${state}" data-kind="${esc(a.kind)}" data-node="${esc(a.nickname)}">${time} <b>${esc(a.nickname)}</b> ${esc(a.kind)} — ${esc(a.message)} <i>${state}</i></li>`
    })
    .reverse()
    .join('')
}

/** Keeps a <select> listing the node names, preserving the choice. */
export function fillSelect(sel: HTMLSelectElement, names: string[]): void {
  if ([...sel.options].map((o) => o.value).join() === names.join()) return
  const keep = sel.value
  sel.innerHTML = names.map((n) => `<option value="${esc(n)}">${esc(n)}</option>`).join('')
  if (names.includes(keep)) sel.value = keep
}
