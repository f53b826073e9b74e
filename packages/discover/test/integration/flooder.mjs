// A discv4 ping flooder, run as a child process by flood.test.ts so that sending does not
// compete with the node under test for its event loop. It gets pre-signed packets (one per key)
// and source IPs over IPC, sends packet k from source k mod sources at `rate` per second until
// told to stop, and reports how many it sent (`warm` after `warmup` packets, `progress` every
// `every` packets after that). It never reads what it is sent back.
import { createSocket } from 'node:dgram'

const bind = (ip) =>
  new Promise((resolve, reject) => {
    const s = createSocket('udp4')
    s.once('error', reject)
    s.bind(0, ip, () => resolve(s))
  })

process.once('message', async ({ target, packets, sources, rate, warmup, every }) => {
  const bufs = packets.map((h) => Buffer.from(h, 'hex'))
  const socks = await Promise.all(sources.map(bind))
  for (const s of socks) s.on('error', () => {})
  let sent = 0
  let errors = 0
  let warm = false
  let reported = warmup
  const start = performance.now()
  const onSent = (err) => {
    if (err) errors++
  }
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * rate)
    // A late tick does not burst: at most 1/100 s worth at once.
    const n = Math.min(due - sent, Math.ceil(rate / 100))
    for (let i = 0; i < n; i++) {
      const k = sent % bufs.length
      socks[k % socks.length].send(bufs[k], target.port, target.ip, onSent)
      sent++
    }
    if (!warm && sent >= warmup) {
      warm = true
      process.send({ type: 'warm', sent })
    } else if (warm && sent - reported >= every) {
      reported = sent
      process.send({ type: 'progress', sent })
    }
  }, 2)
  process.on('message', (m) => {
    if (m !== 'stop') return
    clearInterval(timer)
    const elapsedMs = performance.now() - start
    for (const s of socks) s.close()
    process.send({ type: 'done', sent, errors, elapsedMs }, () => process.exit(0))
  })
})
