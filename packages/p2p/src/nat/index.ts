export { anyNat, natFromSpec } from './any.js'
export { defaultGateway } from './gateway.js'
export { extIp, type Nat, type NatProtocol, type NatSpec, parseNat } from './nat.js'
export { type FindGateway, gatewayNat, natDefaults, pmp, upnp } from './port-mapper.js'
