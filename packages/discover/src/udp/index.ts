export { type AdmissionOptions, type AdmissionStats, admissionDefaults } from './admission.js'
export { type BootstrapResult, bootstrap, parseBootnode } from './bootstrap.js'
export { bindUdp } from './dgram.js'
export {
  IpTracker,
  type IpTrackerOptions,
  ipTrackerDefaults,
  type UdpEndpoint,
} from './ip-tracker.js'
export { ntpDefaults, type SntpServer, sntpOffset } from './ntp.js'
export type { DatagramTransport, UdpAddress } from './transport.js'
export {
  type DropReason,
  type PacketName,
  UDPv4,
  type UDPv4Events,
  type UDPv4Options,
  type UDPv4Stats,
  udpv4Defaults,
} from './udpv4.js'
