// Where the NVIDIA GPU pack lives and what its manifest says (issue #14). The pack is per user,
// outside the app's folder (an AppImage or Program Files is read-only), and the same for every
// workspace: it holds onnxruntime's CUDA provider, NVIDIA's libraries and a copy of
// onnxruntime-node's native binding, which the app loads from there when the pack is whole.
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

/** The pack's version: the CUDA major version and the onnxruntime release it was built for. */
export const GPU_PACK_VERSION = 'cuda13-ort1.30.0'

/** Written last by the installer: a folder without it is a half-installed pack. */
export const GPU_PACK_MANIFEST = 'pack.json'

/** `linux-x64`, `win32-x64`, …: the key of the lock file's platforms. */
export function gpuPackPlatform(): string {
  return `${process.platform}-${process.arch}`
}

/**
 * The folder that holds pack versions: $CTS_GPU_PACK_DIR (tests, managed installs), else the
 * per-user data folder — %LOCALAPPDATA%\ClinicalTextStudio\gpu-pack on Windows,
 * ~/Library/Application Support/ClinicalTextStudio/gpu-pack on macOS,
 * $XDG_DATA_HOME (or ~/.local/share)/clinical-text-studio/gpu-pack on Linux.
 */
export function gpuPackRoot(): string {
  const explicit = process.env.CTS_GPU_PACK_DIR
  if (explicit) return explicit
  if (process.platform === 'win32') {
    const base = process.env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local')
    return join(base, 'ClinicalTextStudio', 'gpu-pack')
  }
  if (process.platform === 'darwin') {
    return join(homedir(), 'Library', 'Application Support', 'ClinicalTextStudio', 'gpu-pack')
  }
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(base, 'clinical-text-studio', 'gpu-pack')
}

/** The folder of this pack version: every library and the binding sit side by side in it. */
export function gpuPackDir(root: string = gpuPackRoot()): string {
  return join(root, GPU_PACK_VERSION)
}

/** One file of an installed pack, as the installer verified it. */
export interface GpuPackFile {
  /** The file name inside the pack folder (no sub-folders). */
  name: string
  sha256: string
  size: number
  /** The wheel it came from (`onnxruntime-gpu 1.30.0`), or `onnxruntime-node` for the binding. */
  from: string
}

/** pack.json: what was installed, from where, and every file with its hash. */
export interface GpuPackManifest {
  version: string
  platform: string
  /** onnxruntime-node's version whose binding was copied; another version must not load it. */
  onnxruntimeNode: string
  /** sha256 of the lock file the pack was installed from. */
  lockSha256: string
  installedAt: string
  source: 'index' | 'folder'
  files: GpuPackFile[]
}

/** The manifest of the pack in `dir`, or undefined when there is none or it is not readable. */
export function readGpuPackManifest(dir: string = gpuPackDir()): GpuPackManifest | undefined {
  const file = join(dir, GPU_PACK_MANIFEST)
  if (!existsSync(file)) return undefined
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as GpuPackManifest
    return Array.isArray(parsed.files) && typeof parsed.version === 'string' ? parsed : undefined
  } catch {
    return undefined
  }
}
