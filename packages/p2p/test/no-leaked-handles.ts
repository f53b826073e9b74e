import { expectNoLeakedHandles } from './handles.js'

expectNoLeakedHandles()
