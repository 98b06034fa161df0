// `cts gpu status` / the Settings page (issue #14): the NVIDIA GPU and driver, each library of the
// GPU pack, whether a CUDA session starts (asked of a disposable process) and the one next step.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { GpuStatusDto } from '../../preload/contract/gpu'
import { probeCudaInJob } from '../jobs/cuda-probe-host'
import type { JobHost } from '../jobs/job-protocol'
import { probeCudaSession } from '../ml/runtime/cuda-probe'
import {
  GPU_PACK_VERSION,
  gpuPackDir,
  gpuPackPlatform,
  gpuPackRoot,
} from '../shared/gpu-pack-paths'
import { CUDA_MIN_DRIVER } from '../shared/gpu-messages'
import { driverSupportsCuda, readNvidiaInfo } from '../shared/nvidia-driver'
import { quickCheckGpuPack } from '../shared/ort-binding-redirect'
import { gpuNextStep } from './gpu-messages'
import {
  checkGpuPackFiles,
  downloadBytes,
  loadGpuPackLock,
  packFileNames,
  type GpuPackPlatformLock,
} from './gpu-pack/index'

export interface GpuStatusOptions {
  /** Start a CUDA session in a child process (a few seconds). */
  probe?: boolean
  /** Re-hash every library of the pack instead of comparing sizes (reads ~2 GB). */
  deep?: boolean
  /** The folder holding pack versions (default: $CTS_GPU_PACK_DIR or the per-user data folder). */
  root?: string
  /** The lock file (default: $CTS_GPU_PACK_LOCK, else the one shipped with the app). */
  lockFile?: string
  probeTimeoutMs?: number
  /**
   * Ask a 'cuda-probe' job process of this host (the app: Electron cannot fork itself as Node).
   * Its process finds the pack where the app does ($CTS_GPU_PACK_DIR or the per-user folder), so
   * `root` does not reach it. Without a host: a Node child (the CLI).
   */
  jobHost?: JobHost
}

type PackDto = GpuStatusDto['pack']

export async function gpuStatus(opts: GpuStatusOptions = {}): Promise<GpuStatusDto> {
  const root = opts.root ?? gpuPackRoot()
  const dir = gpuPackDir(root)
  const platform = gpuPackPlatform()
  const lock = loadGpuPackLock(opts.lockFile ?? (process.env.CTS_GPU_PACK_LOCK || undefined))
  const platLock = lock.platforms[platform]
  const supported = platLock?.implemented === true
  const nvidia = readNvidiaInfo()
  const driverOk = driverSupportsCuda(nvidia.driver)
  const { pack, mismatch } = packStatus(dir, platLock, opts.deep === true)

  let cuda: GpuStatusDto['cuda'] = { sessionStarts: null, error: null }
  if (opts.probe) {
    if (pack.state === 'installed') {
      const r = opts.jobHost
        ? await probeCudaInJob(opts.jobHost, { timeoutMs: opts.probeTimeoutMs })
        : await probeCudaSession({
            env: { ...process.env, CTS_GPU_PACK_DIR: root },
            timeoutMs: opts.probeTimeoutMs,
          })
      cuda = { sessionStarts: r.sessionStarts, error: r.error }
    } else {
      // Without a whole pack onnxruntime has no CUDA provider to load: nothing to start.
      const why = pack.state === 'damaged' ? 'is damaged' : 'is not installed'
      cuda = { sessionStarts: false, error: `the NVIDIA GPU pack ${why}` }
    }
  }

  const message = gpuNextStep({
    platform,
    supported,
    gpuPresent: nvidia.present,
    driverVersion: nvidia.driver,
    driverOk,
    packState: pack.state,
    packFiles: pack.files,
    packMismatch: mismatch,
    sessionStarts: cuda.sessionStarts,
    sessionError: cuda.error,
  })
  const licences = new Map<string, string>()
  for (const w of platLock?.wheels ?? []) licences.set(w.name, w.licence)
  return {
    platform,
    supported,
    gpu: { present: nvidia.present, name: nvidia.name },
    driver: { version: nvidia.driver, minimum: CUDA_MIN_DRIVER, ok: driverOk },
    pack,
    cuda,
    message,
    licences: [...licences].map(([name, licence]) => ({ name, licence })),
  }
}

/** Each library as found on disk; a manifest for another app version makes the pack damaged. */
function packStatus(
  dir: string,
  platLock: GpuPackPlatformLock | undefined,
  deep: boolean,
): { pack: PackDto; mismatch: string | null } {
  const expected = platLock ? packFileNames(platLock) : []
  const quick = quickCheckGpuPack(dir)
  if (!quick.manifest) {
    return {
      pack: {
        state: 'not-installed',
        dir,
        version: GPU_PACK_VERSION,
        sizeBytes: platLock ? downloadBytes(platLock) : 0,
        files: expected.map((name) => ({
          name,
          state: existsSync(join(dir, name)) ? 'present' : 'missing',
        })),
      },
      mismatch: null,
    }
  }
  const check = checkGpuPackFiles(dir, { deep })
  const stateOf = (name: string): 'present' | 'missing' | 'damaged' =>
    check.damaged.includes(name) ? 'damaged' : check.present.includes(name) ? 'present' : 'missing'
  const listed = quick.manifest.files.map((f) => f.name)
  // A library the app expects but the manifest forgot is missing too.
  const names = [...listed, ...expected.filter((n) => !listed.includes(n))]
  const files = names.map((name) => ({ name, state: stateOf(name) }))
  const damaged = quick.mismatch !== null || files.some((f) => f.state !== 'present')
  return {
    pack: {
      state: damaged ? 'damaged' : 'installed',
      dir,
      version: quick.manifest.version,
      sizeBytes: quick.manifest.files.reduce((s, f) => s + f.size, 0),
      files,
    },
    mismatch: quick.mismatch,
  }
}
