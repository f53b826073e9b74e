export { chunkNeighbors, decodePacketData, encodePacketData } from './messages.js'
export { decodePacket, encodePacket } from './packet.js'
export {
  type DecodedPacket,
  type ENRRequest,
  type ENRResponse,
  type Endpoint,
  type FindNode,
  type NeighborRecord,
  type Neighbors,
  type Packet,
  PacketType,
  type PacketTypeCode,
  type Ping,
  type Pong,
  wireConstants,
} from './types.js'
