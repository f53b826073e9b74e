import { mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.js'
import { FatalError } from '../src/fatal.js'
import { preflight, pseudoFilesystem } from '../src/preflight.js'

const linux = process.platform === 'linux'
const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'node-app-preflight-'))
  dirs.push(d)
  return d
}

const config = (datadir: string) => {
  const c = parseConfig(['--datadir', datadir], '/')
  if (c === 'help') throw new Error('help')
  return c
}

describe('preflight --datadir', () => {
  it.skipIf(!linux)('knows pseudo filesystems by their statfs type, wherever mounted', async () => {
    expect(await pseudoFilesystem('/proc/self')).toBe('proc')
    expect(await pseudoFilesystem('/sys')).toBe('sysfs')
    expect(await pseudoFilesystem(await tmp())).toBeUndefined()
    expect(await pseudoFilesystem('/no/such/path')).toBeUndefined()
  })

  it.skipIf(!linux)('refuses a datadir reached through a symlink into /proc', async () => {
    const link = join(await tmp(), 'link')
    await symlink('/proc/self', link)
    const err = await preflight(config(join(link, 'data'))).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FatalError)
    expect((err as Error).message).toMatch(/is inside \/proc, a kernel filesystem/)
  })

  it('accepts a directory on disk and creates it', async () => {
    const dir = join(await tmp(), 'data')
    await expect(preflight(config(dir))).resolves.toBeUndefined()
  })
})
