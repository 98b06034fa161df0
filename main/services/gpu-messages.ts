// Picks the ONE next step `cts gpu status` and the Settings page show (issue #14), in the order a
// clinician has to act: platform, GPU, driver, pack, then whether CUDA actually started.
import {
  cudaSessionFailedMessage,
  driverTooOldMessage,
  gpuPackDamagedMessage,
  gpuPackNotInstalledMessage,
  gpuPackUnsupportedMessage,
  noNvidiaGpuMessage,
  packFileProblems,
} from '../shared/gpu-messages'

export interface GpuFacts {
  platform: string
  supported: boolean
  gpuPresent: boolean
  driverVersion: string | null
  driverOk: boolean
  packState: 'not-installed' | 'installed' | 'damaged'
  packFiles: { name: string; state: string }[]
  /** Why an otherwise whole pack does not fit this app (another version), or null. */
  packMismatch: string | null
  /** null when not probed. */
  sessionStarts: boolean | null
  sessionError: string | null
}

/** The next step, or null when nothing is wrong (a probed CUDA session started, or no probe asked). */
export function gpuNextStep(f: GpuFacts): string | null {
  if (!f.supported) return gpuPackUnsupportedMessage(f.platform)
  if (!f.gpuPresent) return noNvidiaGpuMessage()
  if (!f.driverOk) return driverTooOldMessage(f.driverVersion ?? 'unknown')
  if (f.packState === 'not-installed') return gpuPackNotInstalledMessage()
  if (f.packState === 'damaged') {
    return gpuPackDamagedMessage([
      ...(f.packMismatch ? [f.packMismatch] : []),
      ...packFileProblems(f.packFiles),
    ])
  }
  if (f.sessionStarts === false) return cudaSessionFailedMessage(f.sessionError ?? 'unknown error')
  return null
}
