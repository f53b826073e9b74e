// Child process of level.test.ts's crash test: writes node records in a loop until killed,
// printing one line per flushed round.
import { randomBytes } from 'node:crypto'
import { LevelNodeDB } from '../../src/db/level.js'
import { Node } from '../../src/node.js'

const db = await LevelNodeDB.open(process.argv[2]!)
for (let round = 0; ; round++) {
  for (let i = 0; i < 200; i++) {
    const node = new Node({ id: new Uint8Array(randomBytes(64)), ip: '10.0.0.1', udp: 1, tcp: 1 })
    db.updateNode({ node, lastSeen: 1_700_000_000_000 })
    db.updateLastPongReceived(node.id, node.ip, 1_700_000_000_000)
  }
  await db.flush()
  process.stdout.write(`${round}\n`)
}
