import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@noble/hashes/utils.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  generatePrivateKey,
  isValidPrivateKey,
  loadNodeKey,
  loadOrCreateNodeKey,
  parseNodeKey,
  saveNodeKey,
} from '../src/index.js'
import { vectorKeys } from './fixtures.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'x-discover-key-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('node keys', () => {
  it('generates valid, distinct keys', () => {
    const a = generatePrivateKey()
    expect(isValidPrivateKey(a)).toBe(true)
    expect(a).not.toEqual(generatePrivateKey())
  })

  it('parses geth nodekey text (hex, optional 0x and newline)', () => {
    const { key } = vectorKeys[0]!
    expect(bytesToHex(parseNodeKey(key))).toBe(key)
    expect(bytesToHex(parseNodeKey(`0x${key}\n`))).toBe(key)
  })

  it('rejects malformed and out-of-range keys with ERR_INVALID_PRIVATE_KEY', () => {
    for (const text of ['', 'abc', 'zz'.repeat(32), '00'.repeat(32), 'ff'.repeat(32)]) {
      expect(() => parseNodeKey(text)).toThrowError(
        expect.objectContaining({ code: 'ERR_INVALID_PRIVATE_KEY' }),
      )
    }
  })

  it('saves as hex with mode 0600 and loads back', async () => {
    const path = join(dir, 'sub', 'nodekey')
    const key = generatePrivateKey()
    await saveNodeKey(path, key)
    expect(await readFile(path, 'utf8')).toBe(bytesToHex(key))
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(await loadNodeKey(path)).toEqual(key)
  })

  it('loadOrCreateNodeKey creates once, then loads the same key', async () => {
    const path = join(dir, 'nodekey')
    const first = await loadOrCreateNodeKey(path)
    expect(first.created).toBe(true)
    const second = await loadOrCreateNodeKey(path)
    expect(second).toEqual({ key: first.key, created: false })
  })

  it('does not overwrite a corrupt key file', async () => {
    const path = join(dir, 'nodekey')
    await writeFile(path, 'not a key')
    await expect(loadOrCreateNodeKey(path)).rejects.toMatchObject({
      code: 'ERR_INVALID_PRIVATE_KEY',
    })
    expect(await readFile(path, 'utf8')).toBe('not a key')
  })

  it('reports an unreadable path with ERR_NODE_KEY_FILE', async () => {
    await expect(loadNodeKey(join(dir, 'missing'))).rejects.toMatchObject({
      code: 'ERR_NODE_KEY_FILE',
    })
  })
})
