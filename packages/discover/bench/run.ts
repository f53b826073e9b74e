// `pnpm bench [case…] [N…]`: runs the named benchmark cases of @x/discover (default: all), one
// at a time; numbers are the case's arguments (`pnpm bench sim 1000 5000`: network sizes).
// Each case is a file in this folder exporting `run(args?: number[]): Promise<void>`.
import { runCases } from '../../../bench/cases.ts'

await runCases({
  discv4: () => import('./discv4.ts'),
  discv5: () => import('./discv5.ts'),
  closest: () => import('./closest.ts'),
  sim: () => import('./sim.ts'),
})
