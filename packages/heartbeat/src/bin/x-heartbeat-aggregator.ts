#!/usr/bin/env node
import { runAggregatorCli } from '../cli.js'

// `x-heartbeat-aggregator --help | head -1`: a closed pipe ends the output, not with a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err
  process.exit(process.exitCode ?? 0)
})
const result = await runAggregatorCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  color: process.stderr.isTTY === true,
})
if (typeof result === 'number') {
  process.exitCode = result
} else {
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    void result.stop().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
