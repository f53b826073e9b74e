// `pnpm bench [case…] [N…] [--quick] [--reps=N] [--out=DIR]`: runs the named benchmark cases of
// @x/p2p (default: all), one at a time. Each case is a file in this folder exporting
// `run(args?: number[]): Promise<void>`; add yours here.
import { runCases } from '../../../bench/cases.ts'

await runCases({
  peer: () => import('./peer.ts'),
  rlpx: () => import('./rlpx.ts'),
  memory: () => import('./memory.ts'),
  limits: () => import('./limits.ts'),
})
