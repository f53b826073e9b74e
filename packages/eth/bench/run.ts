// `pnpm bench [case…]`: runs the named benchmark cases of @x/eth (default: all), one at a time.
// Each case is a file in this folder exporting `run(): Promise<void>`; add yours here.
import { runCases } from '../../../bench/cases.ts'

await runCases({
  eth: () => import('./codec.ts'),
  propagation: () => import('./propagation.ts'),
  'slow-reader': () => import('./slow-reader.ts'),
})
