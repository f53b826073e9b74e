import { parseDemoArgs, usage } from './config.js'
import { runDevnet } from './devnet/run.js'
import { DemoError } from './errors.js'
import { runStory } from './story.js'

async function main(): Promise<number> {
  let config: ReturnType<typeof parseDemoArgs>
  try {
    config = parseDemoArgs(process.argv.slice(2))
  } catch (err) {
    if (!(err instanceof DemoError)) throw err
    process.stderr.write(`demo: ${err.message} (--help for usage)\n`)
    return 2
  }
  if (config.mode === 'help') {
    process.stdout.write(usage)
    return 0
  }
  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    if (config.mode === 'story') {
      return (await runStory((s) => process.stdout.write(s), stop.signal)) ? 0 : 1
    }
    return await runDevnet(config, (s) => process.stdout.write(s), stop.signal)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(
      `demo: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    )
    process.exitCode = 1
  },
)
