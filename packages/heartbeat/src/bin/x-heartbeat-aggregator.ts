#!/usr/bin/env node
import { runAggregatorCli } from '../cli.js'

const result = await runAggregatorCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
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
