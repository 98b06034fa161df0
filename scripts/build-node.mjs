// Bundles the Node side of the desktop app with esbuild: main → out/main (ESM), the sandboxed
// preload → out/preload/index.cjs (CommonJS: sandboxed preloads cannot load ES modules or files).
// Native and Electron modules stay external: electron-builder ships them unpacked from node_modules.
import { build } from 'esbuild'
import { existsSync, rmSync } from 'node:fs'

// Native code (and what loads it) stays in node_modules, unpacked from the asar by electron-builder.
const EXTERNAL = [
  'electron',
  'better-sqlite3',
  'better-sqlite3-multiple-ciphers',
  'onnxruntime-node',
  '@huggingface/transformers',
  'sharp',
]

// ESM bundles that contain CommonJS dependencies need a real `require` for Node built-ins.
const requireShim = [
  "import { createRequire as __ctsCreateRequire } from 'node:module'",
  'const require = __ctsCreateRequire(import.meta.url)',
].join('\n')

/** Main-process entries: the app, and the backend and job processes that utilityProcess runs. */
const MAIN_ENTRIES = [
  { in: 'main/app/electron-main.ts', out: 'app/electron-main' },
  { in: 'main/backend/backend-entry.ts', out: 'backend/backend-entry' },
  { in: 'main/jobs/job-host-entry.ts', out: 'jobs/job-host-entry' },
  // `cts gpu status`'s CUDA probe child, forked by the backend (main/ml/runtime/cuda-probe.ts).
  { in: 'main/ml/runtime/cuda-probe-entry.ts', out: 'backend/cuda-probe-entry' },
].filter((e) => existsSync(e.in))

// The GPU pack's binding redirect must run before onnxruntime-node loads, but a bundle's external
// imports are evaluated before any code inside it: so it is its own module, imported first.
const REDIRECT = 'shared/ort-binding-redirect-install'

// CTS_BUILD_OUT lets a test build into a temporary folder instead of out/.
const OUT = process.env.CTS_BUILD_OUT || 'out'

const started = Date.now()
rmSync(`${OUT}/main`, { recursive: true, force: true })
rmSync(`${OUT}/preload`, { recursive: true, force: true })

await Promise.all([
  build({
    entryPoints: MAIN_ENTRIES,
    outdir: `${OUT}/main`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    banner: { js: [`import '../${REDIRECT}.js'`, requireShim].join('\n') },
    sourcemap: 'linked',
    logLevel: 'warning',
  }),
  build({
    entryPoints: [{ in: `main/${REDIRECT}.ts`, out: REDIRECT }],
    outdir: `${OUT}/main`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    sourcemap: 'linked',
    logLevel: 'warning',
  }),
  build({
    entryPoints: ['preload/index.ts'],
    outfile: `${OUT}/preload/index.cjs`,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome130',
    external: ['electron'],
    sourcemap: 'linked',
    logLevel: 'warning',
  }),
])
console.log(`build:node done in ${Date.now() - started} ms → ${OUT}/main, ${OUT}/preload`)
