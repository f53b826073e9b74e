// The pnpm running us (through npx, corepack or a global install, as `npm_execpath`), else
// the version in package.json's `packageManager` through npx: [command, ...leading args].
import { readFileSync } from 'node:fs'

export function pnpmCommand() {
  const execpath = process.env.npm_execpath
  if (execpath?.includes('pnpm')) return [process.execPath, execpath]
  const root = new URL('..', import.meta.url).pathname
  const { packageManager } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'))
  return ['npx', '-y', packageManager]
}
