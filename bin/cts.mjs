#!/usr/bin/env node
// `cts` command: runs main/cli/index.ts through tsx, so it works in a checkout without a build.
import { register } from 'tsx/esm/api'

register()
// Registered after tsx, so it runs first: installed packages' .mjs files skip tsx's transform.
await import('../main/shared/package-source-install.mjs')
// First, before any command module loads: no connection leaves this computer (main/shared).
await import('../main/shared/egress-guard-install.ts')
// Second: onnxruntime-node's binding comes from the NVIDIA GPU pack when that pack is whole.
await import('../main/shared/ort-binding-redirect-install.ts')
const { main } = await import('../main/cli/index.ts')
process.exitCode = await main(process.argv.slice(2))
// A service that keeps a handle open (a pool, a timer) must not keep a finished command alive.
setTimeout(() => process.exit(), 2000).unref()
