// Registers package-source-hooks.mjs. Register it after tsx: the hook registered last runs first,
// so installed packages' .mjs files never reach tsx's transform (see that file for why).
import { register } from 'node:module'

register(new URL('./package-source-hooks.mjs', import.meta.url))
