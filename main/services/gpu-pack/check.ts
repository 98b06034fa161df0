// Checks an installed GPU pack against its pack.json (quick: sizes; deep: sha256) and removes it,
// together with its downloads and any staging left by a crash.
import { createHash } from 'node:crypto'
import { closeSync, existsSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import {
  GPU_PACK_MANIFEST,
  GPU_PACK_VERSION,
  gpuPackRoot,
  readGpuPackManifest,
} from '../../shared/gpu-pack-paths'
import { takeInstallLock } from './install-lock'
import type { GpuPackFileCheck } from './types'

/** Where downloads wait (kept until the pack is whole, so a re-run resumes). */
export const DOWNLOADS = 'downloads'
/** Prefixes of the installer's temporary folders in the root. */
export const STAGING_PREFIX = '.staging-'
export const OLD_PREFIX = '.old-'

function sha256Sync(path: string): string {
  const hash = createHash('sha256')
  const buf = Buffer.alloc(1 << 20)
  const fd = openSync(path, 'r')
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null)
      if (n === 0) break
      hash.update(buf.subarray(0, n))
    }
  } finally {
    closeSync(fd)
  }
  return hash.digest('hex')
}

/**
 * Each file pack.json lists: present, missing, or damaged (another size; with deep, another
 * sha256 — reads the whole ~2 GB pack). No pack.json: the pack is not installed (or half), and
 * pack.json itself is reported missing.
 */
export function checkGpuPackFiles(dir: string, opts: { deep?: boolean } = {}): GpuPackFileCheck {
  const manifest = readGpuPackManifest(dir)
  if (!manifest) return { present: [], missing: [GPU_PACK_MANIFEST], damaged: [] }
  const out: GpuPackFileCheck = { present: [], missing: [], damaged: [] }
  for (const f of manifest.files) {
    const path = join(dir, f.name)
    const st = existsSync(path) ? statSync(path) : undefined
    if (!st?.isFile()) out.missing.push(f.name)
    else if (st.size !== f.size || (opts.deep && sha256Sync(path) !== f.sha256)) {
      out.damaged.push(f.name)
    } else out.present.push(f.name)
  }
  return out
}

/**
 * Undoes `cts gpu install`: the pack folder, the downloads and any leftover staging. Refuses
 * while an installation is running.
 */
export async function removeGpuPack(
  root: string = gpuPackRoot(),
): Promise<{ removed: boolean; dir: string }> {
  const dir = join(root, GPU_PACK_VERSION)
  if (!existsSync(root)) return { removed: false, dir }
  const release = takeInstallLock(root)
  try {
    const removed = existsSync(dir)
    rmSync(dir, { recursive: true, force: true })
    rmSync(join(root, DOWNLOADS), { recursive: true, force: true })
    for (const name of readdirSync(root)) {
      if (name.startsWith(STAGING_PREFIX) || name.startsWith(OLD_PREFIX)) {
        rmSync(join(root, name), { recursive: true, force: true })
      }
    }
    return { removed, dir }
  } finally {
    release()
  }
}
