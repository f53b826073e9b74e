// Run inside one network namespace by ip-limits.test.ts: an observer (a full discovery
// instance) and one bare discv4 endpoint per other address, each bonding with the observer.
// Prints, as one JSON line, the observer's table: per bucket the addresses of its live entries.
import { useFastCrypto } from '@x/core'
import {
  Discovery,
  generatePrivateKey,
  logdist,
  nodeIdFromPrivateKey,
  nodeIdHash,
  UDPv4,
} from '@x/discover'

// `spreadBuckets`: the first that many addresses get keys at log distances 256, 255, … from the
// observer in turn (a few tries each), so they fall into that many buckets and the per-table
// limit, not only the per-bucket one, is reached.
const { observer: observerIp, others, spreadBuckets = 0 } = JSON.parse(process.argv[2] ?? '{}')
const port = 30303
await useFastCrypto()

// The table's IP limits exempt LAN addresses (go-ethereum's addIP); these test addresses are
// private, so the exemption is turned off to see the limits themselves.
const observerKey = generatePrivateKey()
const observerHash = nodeIdHash(nodeIdFromPrivateKey(observerKey))
const keyAt = (distance) => {
  for (;;) {
    const k = generatePrivateKey()
    if (logdist(observerHash, nodeIdHash(nodeIdFromPrivateKey(k))) === distance) return k
  }
}
const observer = new Discovery({
  privateKey: observerKey,
  host: observerIp,
  port,
  ntp: false,
  ipLimits: { exemptLan: false },
})
await observer.start()
// A bond ends, on the other side, when the observer pings back; the observer takes the node
// into its table when that node's Pong arrives: wait for all of those.
const bondedAll = new Promise((resolve) => {
  const seen = new Set()
  observer.udp.addEventListener('bonded', (e) => {
    seen.add(e.detail.node.idHex)
    if (seen.size >= others.length) resolve()
  })
})
const nodes = others.map(
  (host, i) =>
    new UDPv4({
      privateKey: i < spreadBuckets * 4 ? keyAt(256 - (i % spreadBuckets)) : generatePrivateKey(),
      host,
      port,
      ntp: false,
    }),
)
try {
  await Promise.all(nodes.map((u) => u.start()))
  // In batches, as nodes arrive in a real network, so one process keeps up with the 500 ms
  // response timeout on 2 cores.
  for (let i = 0; i < nodes.length; i += 10) {
    await Promise.all(nodes.slice(i, i + 10).map((u) => u.bond(observer.udp.self)))
  }
  await bondedAll
  const buckets = observer.table.buckets.map((b) => b.entries.map((e) => e.node.ip))
  process.stdout.write(`${JSON.stringify({ buckets })}\n`)
} finally {
  await Promise.all([...nodes, observer].map((d) => d.stop()))
}
