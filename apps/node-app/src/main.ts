import { createLogger, type Logger } from '@x/core'
import { startBanner } from './banner.js'
import { ConfigError, type NodeConfig, parseConfig } from './config.js'
import { dumpConfig } from './config-file.js'
import { describeFatal, fatalStack } from './fatal.js'
import { AppNode } from './node.js'
import { invocationDir, preflight } from './preflight.js'
import { trapSignals } from './shutdown.js'
import { usage } from './usage.js'

const say = (line: string) => process.stderr.write(`${line}\n`)

function logger(config: NodeConfig): Logger {
  const tty = process.stdout.isTTY === true
  // JSON lines on stdout unless it is a terminal (or --log.format says otherwise).
  return createLogger({
    level: config.logLevel,
    format: config.logFormat ?? (tty ? 'terminal' : 'json'),
    color: tty,
    write: (line) => process.stdout.write(`${line}\n`),
  })
}

async function main(): Promise<number> {
  // `node-app --help | head -1`: a closed pipe ends the output, not with a crash.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err
    process.exit(process.exitCode ?? 0)
  })
  const trap = trapSignals(say)
  let args = process.argv.slice(2)
  if (args[0] === '--') args = args.slice(1)
  const dump = args[0] === 'dumpconfig'
  let config: ReturnType<typeof parseConfig>
  try {
    config = parseConfig(dump ? args.slice(1) : args, invocationDir(process.env, process.cwd()))
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    // One line naming the flag (the first line only: node's parseArgs adds lines of advice to
    // some of its messages); the flags are one --help away.
    say(`node-app: ${err.message.split('\n')[0]} (see node-app --help)`)
    return 2
  }
  if (config === 'help') {
    process.stdout.write(usage)
    return 0
  }
  if (dump) {
    process.stdout.write(dumpConfig(config))
    return 0
  }
  const log = logger(config)
  const node = new AppNode(config, log)
  let signalled = false
  const started = preflight(config).then(() => node.start())
  // A signal during start-up stops the node once start settles (stopping half-way through a
  // start would leave what it opens afterwards open).
  const stopping = trap.signal.then(async (signal) => {
    signalled = true
    log.info('shutting down', { signal })
    await started.catch(() => {})
    await node.stop()
  })
  try {
    await started
  } catch (err) {
    if (signalled) {
      await stopping
      return 0
    }
    say(`Fatal: ${describeFatal(err)}`)
    if (config.verbosity >= 5) say(fatalStack(err))
    return 1
  }
  const banner =
    process.stdout.isTTY && node.running ? startBanner(node.running, config) : undefined
  await stopping
  banner?.stop()
  return 0
}

// Exit explicitly: a failed start may leave a handle behind, and an exit must not wait on it.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`Fatal: ${describeFatal(err)}`)
    say(fatalStack(err))
    process.exit(1)
  },
)
