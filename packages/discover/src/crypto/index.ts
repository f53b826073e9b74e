import { createFastCrypto, type FastCryptoOptions } from './fast.js'
import { nobleCrypto } from './noble.js'
import type { CryptoBackend } from './types.js'

export type { FastCryptoOptions } from './fast.js'
export type { CryptoBackend, Keccak } from './types.js'
export { createFastCrypto, nobleCrypto }

let active: CryptoBackend = nobleCrypto

/**
 * The process-wide crypto backend every component uses unless given one. It starts as noble;
 * an application switches once at startup with `useFastCrypto()` (or `setCrypto`).
 */
export function getCrypto(): CryptoBackend {
  return active
}

export function setCrypto(backend: CryptoBackend): void {
  active = backend
}

/** Loads the fast backend and makes it the process-wide one. Returns it so callers can log `name`. */
export async function useFastCrypto(options?: FastCryptoOptions): Promise<CryptoBackend> {
  active = await createFastCrypto(options)
  return active
}
