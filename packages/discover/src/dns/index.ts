export { base32Decode, base32Encode } from './base32.js'
export { DnsClient, type DnsClientOptions, dnsDefaults } from './client.js'
export { dnsNodes } from './iterator.js'
export {
  type SystemTxtResolverOptions,
  systemTxtResolver,
  type TxtResolver,
  withDeadline,
} from './resolver.js'
export { ClientTree, LinkCache } from './sync.js'
export {
  type BranchEntry,
  type EnrEntry,
  formatEntry,
  formatLink,
  formatRoot,
  isValidHash,
  type LinkEntry,
  matchesHash,
  parseEntry,
  parseLink,
  parseRoot,
  type RootEntry,
  rootContent,
  signRoot,
  subdomain,
  type TreeEntry,
  treeConstants,
  verifyRoot,
} from './tree.js'
