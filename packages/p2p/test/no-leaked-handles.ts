import { expectNoLeakedHandles } from './integration/handles.js'

expectNoLeakedHandles()
