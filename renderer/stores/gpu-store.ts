// The NVIDIA GPU pack as the Settings page shows it (issue #14 point 1): its status, the install
// with pushed progress ('gpu/progress'), removal, and the one next step a clinician can act on.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { GpuPackInstallResultDto, GpuProgressDto, GpuStatusDto } from '../../preload/contract'
import { cts } from '../api'

/**
 * The next step as an i18n key under 'gpu.next' (the app's languages, not main's English line):
 * the first thing in the chain that is wrong, or 'ready' when a CUDA session starts.
 */
export type GpuNextStep =
  | 'unsupported'
  | 'noGpu'
  | 'driverOld'
  | 'packMissing'
  | 'packDamaged'
  | 'cudaFails'
  | 'notChecked'
  | 'ready'

export function nextStepOf(s: GpuStatusDto): GpuNextStep {
  if (!s.supported) return 'unsupported'
  if (!s.gpu.present) return 'noGpu'
  if (!s.driver.ok) return 'driverOld'
  if (s.pack.state === 'not-installed') return 'packMissing'
  if (s.pack.state === 'damaged') return 'packDamaged'
  if (s.cuda.sessionStarts === false) return 'cudaFails'
  if (s.cuda.sessionStarts === null) return 'notChecked'
  return 'ready'
}

export const useGpuStore = defineStore('gpu', () => {
  const status = ref<GpuStatusDto | null>(null)
  const progress = ref<GpuProgressDto | null>(null)
  const installing = ref(false)
  const lastInstall = ref<GpuPackInstallResultDto | null>(null)
  const removed = ref<boolean | null>(null)
  const nextStep = computed(() => (status.value ? nextStepOf(status.value) : null))

  /** probe: start a CUDA session in a child process (a few seconds); the page asks on demand. */
  async function load(probe = false): Promise<void> {
    status.value = await cts().gpu.status({ probe })
  }

  /** From the package index, or (offline hospitals) from a folder of wheels copied over. */
  async function install(folder?: string): Promise<void> {
    installing.value = true
    progress.value = null
    lastInstall.value = null
    removed.value = null
    const off = cts().on('gpu/progress', (p) => void (progress.value = p))
    try {
      lastInstall.value = await cts().gpu.install(
        folder !== undefined ? { source: 'folder', folder } : { source: 'index' },
      )
    } finally {
      off()
      installing.value = false
      // Whatever happened, show what is on disk now (a refused install left nothing behind).
      await load(true).catch(() => undefined)
    }
  }

  async function remove(): Promise<void> {
    lastInstall.value = null
    progress.value = null
    removed.value = (await cts().gpu.remove({})).removed
    await load()
  }

  return { status, progress, installing, lastInstall, removed, nextStep, load, install, remove }
})
