// The snapshot the devnet sends (src/devnet/snapshot.ts: plain types, no Node.js imports).
export type { AlertEntry, NodeView, PeerView, Snapshot } from '../src/devnet/snapshot.js'
