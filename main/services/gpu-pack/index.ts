// The NVIDIA GPU pack installer (issue #14): fetches the pinned wheels, verifies, extracts, sets
// RUNPATH, copies onnxruntime-node's binding beside them; checks and removes an installed pack.
export type {
  GpuPackFileCheck,
  GpuPackInstallResult,
  GpuPackProgress,
  GpuPackSource,
} from './types'
export {
  defaultGpuPackLockPath,
  downloadBytes,
  loadGpuPackLock,
  packFileNames,
  platformLock,
  type GpuPackExtract,
  type GpuPackLock,
  type GpuPackPlatformLock,
  type GpuPackWheel,
} from './lock'
export { installGpuPack, type InstallGpuPackOptions } from './install'
export { checkGpuPackFiles, removeGpuPack } from './check'
export { readRunpath } from './elf'
