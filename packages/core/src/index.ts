export { concatBytes, equalBytes, fromHex, toHex } from './bytes.js'
export { type Clock, sleep, systemClock, type TimerHandle } from './clock.js'
export {
  type CryptoBackend,
  compressPublicKey,
  createFastCrypto,
  decompressPublicKey,
  ecdhCompressed,
  type FastCryptoOptions,
  getCrypto,
  isValidPublicKey,
  type Keccak,
  nobleCrypto,
  setCrypto,
  useFastCrypto,
  verifySignature,
} from './crypto/index.js'
export { formatDuration, maxDuration, parseDuration } from './duration.js'
export {
  CoreError,
  type CoreErrorCode,
  Devp2pError,
  RlpError,
  TimeoutError,
} from './errors.js'
export { type ListenerOptions, TypedEventTarget, type TypedListener } from './events.js'
export { bytesToIp, ipToBytes, isIpv6, isValidPort, normalizeIp } from './ip.js'
export { type Startable, started } from './lifecycle.js'
export { type LogThreshold, verbosityLevel } from './log-terminal.js'
export {
  createLogger,
  isLogFormat,
  isLogLevel,
  type LogFields,
  type LogFormat,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  noopLogger,
} from './logger.js'
export { checkRelayIp, isLan, isLoopback, isSpecialNetwork, Netlist } from './netutil.js'
export {
  encodeBytes,
  encodeHashList,
  encodeList,
  encodeStringList,
  encodeUint,
  isList,
  readBigUint,
  readBytes,
  readFixed,
  readUint,
  splitList,
  splitStream,
  uintBytes,
} from './rlp/raw.js'
export {
  asBigUint,
  asBytes,
  asFixedBytes,
  asList,
  asString,
  asUint,
  decodeRlp,
  encodeRlp,
  encodeRlpAfter,
  type RlpInput,
  type RlpItem,
} from './rlp/rlp.js'
