// Bundles main/web/client.ts (plus build-api and the contract) into one browser script, in memory,
// once per process: esbuild takes a few hundred milliseconds, and nothing is written to disk.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

let pending: Promise<string> | undefined

/** The JavaScript served as /cts-bridge.js. */
export function bridgeClientScript(): Promise<string> {
  pending ??= build({
    entryPoints: [fileURLToPath(new URL('./client.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]!.text)
  pending.catch(() => {
    pending = undefined
  })
  return pending
}
