export { type ChainConfig, mainnet } from './chain.js'
export { crc32, crc32Update } from './crc32.js'
export { EthError, type EthErrorCode } from './errors.js'
export {
  decodeForkId,
  encodeForkId,
  type ForkFilter,
  type ForkId,
  type ForkIdRejection,
  forkFilter,
  forkIdAt,
  gatherForks,
  timestampThreshold,
} from './forkid.js'
