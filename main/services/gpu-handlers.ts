// The 'gpu/…' calls (issue #14 point 1): the GPU pack's status, installing it (progress pushed as
// 'gpu/progress') and removing it. Machine-level: they never touch the workspace.
import type { GpuProgressDto, HandlersOf } from '../../preload/contract'
import type { JobHost } from '../jobs/job-protocol'
import { CtsError } from '../shared'
import type { Publish } from './events'
import type { installGpuPack, removeGpuPack } from './gpu-pack/index'
import type { gpuStatus } from './gpu-status'

export type GpuCalls = 'gpu/status' | 'gpu/install' | 'gpu/remove'

/** What the handlers call; tests (and the contract fuzzer) give fakes, so nothing is downloaded. */
export interface GpuDeps {
  status: typeof gpuStatus
  install: typeof installGpuPack
  remove: typeof removeGpuPack
  /** A lock file other than resources/gpu/gpu-pack.lock.json (tests: synthetic wheels). */
  lockFile?: string
  /** Where the installer's egress announcement goes before it connects (the CLI: stderr). */
  announce?: (line: string) => void
  /** The composition's job processes: the status's CUDA check runs in one (the app cannot fork Node). */
  jobHost?: JobHost
}

/** At most one progress event per this many ms, plus every change of phase or file. */
const PROGRESS_INTERVAL_MS = 200

// The installer (yauzl, hashing) and the status probe load on first use, not at boot.
const realDeps: GpuDeps = {
  status: async (opts) => (await import('./gpu-status')).gpuStatus(opts),
  install: async (opts) => (await import('./gpu-pack/index')).installGpuPack(opts),
  remove: async (root) => (await import('./gpu-pack/index')).removeGpuPack(root),
}

/** The lock file tests point at ($CTS_GPU_PACK_LOCK), else the one shipped with the app. */
export function gpuLockFileFromEnv(): string | undefined {
  return process.env.CTS_GPU_PACK_LOCK || undefined
}

/** Throttles installer progress into 'gpu/progress' events (a 1 GB download reports per chunk). */
export function progressPublisher(send: (p: GpuProgressDto) => void): (p: GpuProgressDto) => void {
  let last: GpuProgressDto | undefined
  let lastAt = 0
  return (p) => {
    const now = Date.now()
    const changed = !last || last.phase !== p.phase || last.file !== p.file
    if (!changed && p.bytes < p.totalBytes && now - lastAt < PROGRESS_INTERVAL_MS) return
    last = p
    lastAt = now
    send({ ...p })
  }
}

export function gpuHandlers(publish: Publish, deps: Partial<GpuDeps> = {}): HandlersOf<GpuCalls> {
  const d: GpuDeps = { ...realDeps, ...deps }
  // One install at a time: two would race for the same staging folder and downloads.
  let installing: Promise<unknown> | undefined
  return {
    'gpu/status': async ({ probe, deep }) =>
      d.status({ probe, deep, ...(d.jobHost ? { jobHost: d.jobHost } : {}) }),
    'gpu/install': async ({ source, folder, indexUrl }) => {
      if (installing)
        throw new CtsError(
          'conflict',
          'The GPU pack is being installed already: wait for it to finish.',
        )
      if (source === 'folder' && !folder)
        throw new CtsError('bad-input', 'Choose the folder that holds the GPU pack wheels.')
      // Read per call, like gpuStatus does: the status and the install always agree on the lock.
      const lockFile = d.lockFile ?? gpuLockFileFromEnv()
      const lock = lockFile
        ? (await import('./gpu-pack/index')).loadGpuPackLock(lockFile)
        : undefined
      const run = d.install({
        source:
          source === 'folder'
            ? { kind: 'folder', dir: folder as string }
            : { kind: 'index', ...(indexUrl ? { indexUrl } : {}) },
        ...(lock ? { lock } : {}),
        ...(d.announce ? { announce: d.announce } : {}),
        onProgress: progressPublisher((p) => publish('gpu/progress', p)),
      })
      installing = run
      try {
        const result = await run
        return {
          dir: result.dir,
          alreadyInstalled: result.alreadyInstalled,
          files: result.files,
          bytesDownloaded: result.bytesDownloaded,
        }
      } finally {
        installing = undefined
      }
    },
    'gpu/remove': async () => {
      if (installing)
        throw new CtsError(
          'conflict',
          'The GPU pack is being installed: wait for it to finish, then remove it.',
        )
      return { removed: (await d.remove()).removed }
    },
  }
}
