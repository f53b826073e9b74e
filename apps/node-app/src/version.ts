import { createRequire } from 'node:module'

const pkg = createRequire(import.meta.url)('../package.json') as { version: string }

/** Our version, from package.json (`src/` and `dist/` both sit beside it). */
export const version = pkg.version

/** The client id in our hello, shaped like go-ethereum's `Geth/v1.x/linux-amd64/go1.x`. */
export const clientName = `node-app/v${version}/${process.platform}-${process.arch}/nodejs${process.versions.node}`
