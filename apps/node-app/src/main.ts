import { createLogger } from '@x/core'
import { ConfigError, parseConfig, usage } from './config.js'
import { AppNode } from './node.js'

async function main(): Promise<number> {
  let config: ReturnType<typeof parseConfig>
  try {
    config = parseConfig(process.argv.slice(2))
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    // One line naming the flag; the flags are one --help away.
    process.stderr.write(`node-app: ${err.message} (see node-app --help)\n`)
    return 2
  }
  if (config === 'help') {
    process.stdout.write(usage)
    return 0
  }
  // JSON lines on stdout: time, level, msg and the fields.
  const log = createLogger({
    level: config.logLevel,
    format: 'json',
    write: (line) => process.stdout.write(`${line}\n`),
  })
  // Listen for signals before starting anything, so a signal during startup still shuts down
  // cleanly. Signal listeners do not keep the event loop alive; the timer does until one comes.
  const keepAlive = setInterval(() => {}, 1 << 30)
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'))
    process.once('SIGTERM', () => resolve('SIGTERM'))
  })
  const node = new AppNode(config, log)
  await node.start()
  const signal = await stopSignal
  clearInterval(keepAlive)
  log.info('shutting down', { signal })
  await node.stop()
  return 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(
      `node-app: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    )
    process.exitCode = 1
  },
)
