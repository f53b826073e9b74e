// In-memory fakes for tests of peers, servers and protocols: `import { transportPair } from '@x/p2p/testing'`.
export { MemoryNetworkError } from '../errors.js'
export { type MsgPipeEnd, type MsgPipeOptions, msgPipe } from '../message.js'
export { MemoryNetwork } from './network.js'
export { type MemoryTransport, type TransportPairOptions, transportPair } from './transport.js'
