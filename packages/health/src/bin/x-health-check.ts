#!/usr/bin/env node
import { useFastCrypto } from '@x/core'
import { runCheckCli } from '../checker/cli.js'
import { rlpxCheckDialer } from '../checker/dial.js'

// The `x-health-check` command: checks one devp2p node given by its enode URL.

try {
  await useFastCrypto()
} catch {
  // The pure-JS backend works too, only slower.
}
// `x-health-check … | head -1`: a closed pipe ends the output, not with a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err
  process.exit(process.exitCode ?? 0)
})
const ac = new AbortController()
process.once('SIGINT', () => ac.abort(new Error('interrupted')))
process.exitCode = await runCheckCli(process.argv.slice(2), {
  dial: rlpxCheckDialer(),
  io: { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
  signal: ac.signal,
})
