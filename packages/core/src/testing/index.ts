// Test helpers shared by every package's tests: `import { ManualClock } from '@x/core/testing'`.
export { flush, ManualClock } from './clock.js'
export { countHandles, handleLeaks, settledHandleLeaks } from './handles.js'
