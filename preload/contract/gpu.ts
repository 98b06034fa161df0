// The NVIDIA GPU pack (issue #14 point 1): its status on this machine, installing it from the
// package index or a folder of wheels, removing it. Machine-level: works on a locked workspace too.
import { z } from 'zod'

/** One library of the pack, as found on disk (quick check: size; deep check: sha256). */
export interface GpuPackFileDto {
  name: string
  state: 'present' | 'missing' | 'damaged'
}

/** What this machine has for CUDA, and the one thing the clinician should do next. */
export interface GpuStatusDto {
  /** `process.platform`-`process.arch`, e.g. 'linux-x64'. */
  platform: string
  /** This platform has a GPU pack (Linux x64 today). */
  supported: boolean
  gpu: { present: boolean; name: string | null }
  driver: { version: string | null; minimum: string; ok: boolean }
  pack: {
    state: 'not-installed' | 'installed' | 'damaged'
    dir: string
    version: string
    /** What installing downloads (or occupies once installed), in bytes. */
    sizeBytes: number
    files: GpuPackFileDto[]
  }
  /** Whether a session asking for 'cuda' starts; null when not probed. */
  cuda: { sessionStarts: boolean | null; error: string | null }
  /** The one thing the clinician should do next, or null when CUDA runs. */
  message: string | null
  /** The licences of what the pack installs (the NVIDIA EULA among them), shown before installing. */
  licences: { name: string; licence: string }[]
}

/** What installing left behind. */
export interface GpuPackInstallResultDto {
  dir: string
  /** The whole pack was there already: nothing was downloaded or changed. */
  alreadyInstalled: boolean
  files: string[]
  bytesDownloaded: number
}

/** A 'gpu/progress' event while 'gpu/install' runs. */
export interface GpuProgressDto {
  phase: 'download' | 'verify' | 'extract' | 'runpath' | 'binding' | 'done'
  file?: string
  bytes: number
  totalBytes: number
}

export const gpuArgs = {
  /** probe: start a CUDA session in a child process; deep: re-hash every library. */
  'gpu/status': z.object({ probe: z.boolean().optional(), deep: z.boolean().optional() }).strict(),
  /**
   * source 'index' connects to the package index (indexUrl, default PyPI's files host); source
   * 'folder' reads the wheels from `folder` (offline hospitals) and connects nowhere.
   */
  'gpu/install': z
    .object({
      source: z.enum(['index', 'folder']),
      folder: z.string().min(1).max(4096).optional(),
      indexUrl: z
        .url({ protocol: /^https?$/, error: 'must be an http(s) address of a package index' })
        .max(2048)
        .optional(),
    })
    .strict()
    .refine((a) => a.source !== 'folder' || a.folder !== undefined, {
      message: "source 'folder' needs the folder that holds the wheels",
      path: ['folder'],
    }),
  'gpu/remove': z.object({}).strict(),
}

export interface GpuResults {
  'gpu/status': GpuStatusDto
  'gpu/install': GpuPackInstallResultDto
  'gpu/remove': { removed: boolean }
}
