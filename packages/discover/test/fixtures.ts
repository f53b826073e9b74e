import { hexToBytes } from '@noble/hashes/utils.js'
import discv4 from './fixtures/discv4-packets.json' with { type: 'json' }
import discv4Strict from './fixtures/discv4-strict.json' with { type: 'json' }
import enr from './fixtures/enr.json' with { type: 'json' }
import handshake from './fixtures/rlpx-handshake.json' with { type: 'json' }

export { discv4, discv4Strict, enr, handshake }

export const hex = (s: string): Uint8Array => hexToBytes(s.replace(/^0x/, ''))

/** Every private key in the vectors with its expected 64-byte public key and keccak node ID, when given. */
export const vectorKeys: { name: string; key: string; pub: string; hash?: string }[] = [
  {
    name: 'rlpx static A',
    key: handshake.keys.static_key_a,
    pub: handshake.derived_public_keys.static_pub_a,
    hash: handshake.derived_public_keys.node_id_a_keccak,
  },
  {
    name: 'rlpx static B',
    key: handshake.keys.static_key_b,
    pub: handshake.derived_public_keys.static_pub_b,
    hash: handshake.derived_public_keys.node_id_b_keccak,
  },
  {
    name: 'rlpx ephemeral A',
    key: handshake.keys.ephemeral_key_a,
    pub: handshake.derived_public_keys.ephemeral_pub_a,
  },
  {
    name: 'rlpx ephemeral B',
    key: handshake.keys.ephemeral_key_b,
    pub: handshake.derived_public_keys.ephemeral_pub_b,
  },
  {
    name: 'discv4 signer',
    key: discv4.private_key,
    pub: discv4.signer_public_key.hex,
    hash: discv4.signer_public_key.node_id_keccak,
  },
]
