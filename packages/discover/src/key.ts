import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { fromHex, toHex } from '@x/core'
import { DiscoverError } from './errors.js'

/** True if `key` is a valid secp256k1 private key (32 bytes, 0 < key < n). */
export function isValidPrivateKey(key: Uint8Array): boolean {
  return key.length === 32 && secp256k1.utils.isValidSecretKey(key)
}

/** A fresh random secp256k1 private key. */
export function generatePrivateKey(): Uint8Array {
  for (;;) {
    const key = new Uint8Array(randomBytes(32))
    if (isValidPrivateKey(key)) return key
  }
}

/** Parses a node key in go-ethereum's `nodekey` form: 64 hex characters, optional 0x and whitespace. */
export function parseNodeKey(text: string): Uint8Array {
  const hex = text.trim().replace(/^0x/i, '')
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new DiscoverError('ERR_INVALID_PRIVATE_KEY', 'node key must be 64 hex characters')
  }
  const key = fromHex(hex.toLowerCase())
  if (!isValidPrivateKey(key)) {
    throw new DiscoverError('ERR_INVALID_PRIVATE_KEY', 'node key is not a valid secp256k1 scalar')
  }
  return key
}

/** Reads a node key file (hex, like geth's `nodekey`). */
export async function loadNodeKey(path: string): Promise<Uint8Array> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new DiscoverError('ERR_NODE_KEY_FILE', `cannot read node key file ${path}`, { cause })
  }
  return parseNodeKey(text)
}

/** Writes a node key file readable only by its owner; the write is atomic (temp file + rename). */
export async function saveNodeKey(path: string, key: Uint8Array): Promise<void> {
  if (!isValidPrivateKey(key)) {
    throw new DiscoverError('ERR_INVALID_PRIVATE_KEY', 'refusing to save an invalid node key')
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, toHex(key), { mode: 0o600 })
  await rename(tmp, path)
}

/** Loads the node key at `path`, or creates and saves a new one if the file does not exist. */
export async function loadOrCreateNodeKey(
  path: string,
): Promise<{ key: Uint8Array; created: boolean }> {
  try {
    return { key: await loadNodeKey(path), created: false }
  } catch (err) {
    const missing =
      err instanceof DiscoverError &&
      (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
    if (!missing) throw err
  }
  const key = generatePrivateKey()
  await saveNodeKey(path, key)
  return { key, created: true }
}
