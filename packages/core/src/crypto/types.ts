/**
 * An incremental keccak256 state. `digest()` does not finalize the state: RLPx reads its
 * running MACs after every update, so a digest must leave the state usable.
 */
export interface Keccak {
  update(data: Uint8Array): this
  digest(): Uint8Array
  clone(): Keccak
}

/**
 * The primitives the devp2p stack spends its time in: keccak256 and secp256k1. Every backend passes the same vectors. Keys are raw bytes: private keys are
 * 32 bytes, public keys are 64 bytes (X ‖ Y, no 0x04 prefix), as devp2p puts them on the wire.
 */
export interface CryptoBackend {
  /** Names what runs, e.g. `noble` or `wasm-keccak+libsecp256k1`; benchmarks record it. */
  readonly name: string
  keccak256(data: Uint8Array): Uint8Array
  keccak256Stream(): Keccak
  /** 64-byte public key of a 32-byte private key. */
  publicKey(privateKey: Uint8Array): Uint8Array
  /** Recoverable signature of a 32-byte digest (never hashed again) as r ‖ s ‖ v, v ∈ {0, 1}. */
  sign(digest: Uint8Array, privateKey: Uint8Array): Uint8Array
  /** The 64-byte public key that made `signature` (r ‖ s ‖ v) over `digest`; throws if none. */
  recover(digest: Uint8Array, signature: Uint8Array): Uint8Array
  /** The x coordinate (32 bytes) of privateKey × publicKey, as RLPx's ECDH wants. */
  ecdh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array
  /**
   * True if `signature` (r ‖ s, 64 bytes, s in the lower half as go-ethereum requires) over the
   * 32-byte `digest` was made by `publicKey` (SEC1: 33 bytes compressed or 65 bytes); false for
   * anything malformed. Optional (ENR signatures): without it, callers use noble.
   */
  verify?(digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean
  /**
   * The 33-byte compressed point privateKey × publicKey (`0x02|parity(y) ‖ x`), as Discovery v5's
   * handshake wants. Optional: without it, noble.
   */
  ecdhCompressed?(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array
  /** True if the 64 bytes X ‖ Y are a point on secp256k1. Optional: without it, noble. */
  isValidPublicKey?(publicKey: Uint8Array): boolean
  /**
   * The 64-byte X ‖ Y of a 33-byte compressed public key; throws if it is not one. Optional:
   * without it, noble.
   */
  decompressPublicKey?(publicKey: Uint8Array): Uint8Array
}
