// Loads onnxruntime-node's native binding from the NVIDIA GPU pack when the pack is whole (issue
// #14): onnxruntime then finds its CUDA provider and NVIDIA's libraries beside its own library.
import Module, { createRequire } from 'node:module'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import {
  GPU_PACK_VERSION,
  gpuPackDir,
  gpuPackPlatform,
  readGpuPackManifest,
  type GpuPackManifest,
} from './gpu-pack-paths'

/** The native binding's file name, in onnxruntime-node and in the pack. */
export const ORT_BINDING_FILE = 'onnxruntime_binding.node'

/** onnxruntime's own library, which the binding needs beside it (RUNPATH $ORIGIN, or the DLL folder). */
export function ortLibraryFile(platform: string = process.platform): string {
  if (platform === 'win32') return 'onnxruntime.dll'
  if (platform === 'darwin') return 'libonnxruntime.1.dylib'
  return 'libonnxruntime.so.1'
}

/** The version of the onnxruntime-node this app runs, or undefined when it cannot be read. */
export function appOnnxruntimeNodeVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url)
    return (require('onnxruntime-node/package.json') as { version?: string }).version
  } catch {
    return undefined
  }
}

/** One file of the pack as a quick (size) check finds it. */
export interface PackFileState {
  name: string
  state: 'present' | 'missing' | 'damaged'
}

/** The pack as a quick check finds it: whether the app may load its binding, and why not. */
export interface GpuPackQuickCheck {
  state: 'not-installed' | 'installed' | 'damaged'
  dir: string
  manifest: GpuPackManifest | undefined
  /** Every file the manifest lists, present (right size), missing or damaged (wrong size). */
  files: PackFileState[]
  /** Why the pack cannot be used although a manifest is there (another app version, …). */
  mismatch: string | null
}

/**
 * Checks the pack in `dir` the quick way: a manifest for this platform, pack version and this
 * app's onnxruntime-node, listing the binding and onnxruntime's library, and every listed file
 * present with the manifest's size. A few stat calls: cheap enough for every process start.
 */
export function quickCheckGpuPack(dir: string = gpuPackDir()): GpuPackQuickCheck {
  const manifest = readGpuPackManifest(dir)
  if (!manifest) return { state: 'not-installed', dir, manifest, files: [], mismatch: null }
  const files: PackFileState[] = manifest.files.map((f) => ({
    name: f.name,
    state: fileState(join(dir, f.name), f.size),
  }))
  const appVersion = appOnnxruntimeNodeVersion()
  const listed = new Set(manifest.files.map((f) => f.name))
  let mismatch: string | null = null
  if (manifest.version !== GPU_PACK_VERSION) {
    mismatch = `the pack is version ${manifest.version}, this app needs ${GPU_PACK_VERSION}`
  } else if (manifest.platform !== gpuPackPlatform()) {
    mismatch = `the pack was made for ${manifest.platform}, this computer is ${gpuPackPlatform()}`
  } else if (manifest.onnxruntimeNode !== appVersion) {
    mismatch =
      `the pack holds the binding of onnxruntime-node ${manifest.onnxruntimeNode}, ` +
      `this app runs ${appVersion ?? 'an unknown version'}`
  } else {
    for (const name of [ORT_BINDING_FILE, ortLibraryFile()]) {
      if (!listed.has(name)) {
        mismatch = `the pack's manifest does not list ${name}`
        files.push({ name, state: 'missing' })
        break
      }
    }
  }
  const whole = mismatch === null && files.every((f) => f.state === 'present')
  return { state: whole ? 'installed' : 'damaged', dir, manifest, files, mismatch }
}

function fileState(path: string, size: number): PackFileState['state'] {
  try {
    const st = statSync(path)
    return st.isFile() && st.size === size ? 'present' : 'damaged'
  } catch {
    return 'missing'
  }
}

/** What the redirect did in this process (or worker thread: each has its own module loader). */
interface RedirectState {
  /** The pack folder whose binding is loaded instead of onnxruntime-node's own, when whole. */
  packDir: string | null
  /** The file the binding was actually loaded from through the hook (null until it is loaded). */
  loadedFrom: string | null
}

// On globalThis: a module duplicated by a bundle or a second loader still sees one hook.
const STATE_KEY = Symbol.for('cts.ortBindingRedirect')

function state(): RedirectState | undefined {
  return (globalThis as Record<symbol, RedirectState | undefined>)[STATE_KEY]
}

type ResolveFilename = (
  request: string,
  parent: { filename?: string | null } | null | undefined,
  ...rest: unknown[]
) => string

/**
 * When the pack is whole, makes onnxruntime-node's dist/binding.js load the pack's binding: its
 * `require('../bin/napi-v6/<platform>/<arch>/onnxruntime_binding.node')`, and nothing else, is
 * resolved to `<pack>/onnxruntime_binding.node`. Otherwise (or when called again) it does nothing.
 * Must run before onnxruntime-node is first loaded.
 */
export function installOrtBindingRedirect(dir: string = gpuPackDir()): void {
  if (state()) return
  const check = quickCheckGpuPack(dir)
  const s: RedirectState = { packDir: null, loadedFrom: null }
  ;(globalThis as Record<symbol, RedirectState | undefined>)[STATE_KEY] = s
  if (check.state !== 'installed') return
  s.packDir = dir
  const target = join(dir, ORT_BINDING_FILE)
  const request = `../bin/napi-v6/${process.platform}/${process.arch}/${ORT_BINDING_FILE}`
  const loader = Module as unknown as { _resolveFilename: ResolveFilename }
  const original = loader._resolveFilename
  loader._resolveFilename = function (this: unknown, req, parent, ...rest) {
    if (req === request && parent?.filename && isOrtBindingJs(parent.filename)) {
      s.loadedFrom = target
      return target
    }
    return original.call(this, req, parent, ...rest)
  } as ResolveFilename
}

function isOrtBindingJs(file: string): boolean {
  return file.replace(/\\/g, '/').endsWith('/onnxruntime-node/dist/binding.js')
}

/** Whether this process loads (or will load) onnxruntime's binding from a whole GPU pack. */
export function ortBindingRedirected(): boolean {
  return (state()?.packDir ?? null) !== null
}

/** Where the redirect loaded the binding from, or null when it did not (yet). */
export function ortBindingLoadedFrom(): string | null {
  return state()?.loadedFrom ?? null
}
