// What a clinician reads when CUDA cannot run (issue #14): one next step per case, the same words
// in `cts gpu status`, the Settings page and a training run's CPU fallback. Never "run npm".

/** CUDA 13 (the GPU pack's CUDA) needs this NVIDIA driver major version or newer. */
export const CUDA_MIN_DRIVER = '580'

/** The platforms (`process.platform`-`process.arch`) the GPU pack is made for today. */
export const GPU_PACK_PLATFORMS: readonly string[] = ['linux-x64']

/** How a clinician removes and reinstalls the pack, in the app and on the command line. */
const REINSTALL =
  'Remove and install it again: in Settings (NVIDIA GPU), or run `cts gpu remove` then `cts gpu install`.'

export function gpuPackUnsupportedMessage(platform: string): string {
  return (
    `The NVIDIA GPU pack is not available for ${platform} yet (only for Linux x64): ` +
    'models run on the CPU, or on another GPU through WebGPU.'
  )
}

export function noNvidiaGpuMessage(): string {
  return (
    'No NVIDIA GPU was found on this computer (or its NVIDIA driver is not loaded): ' +
    'models run on the CPU, or on another GPU through WebGPU. Nothing needs to be installed.'
  )
}

export function driverTooOldMessage(found: string): string {
  return (
    `The NVIDIA driver on this computer is version ${found}; CUDA 13 needs version ` +
    `${CUDA_MIN_DRIVER} or newer. Ask your IT department to update the NVIDIA driver, then restart the app.`
  )
}

export function gpuPackNotInstalledMessage(): string {
  return 'The NVIDIA GPU pack is not installed. Enable NVIDIA GPU in Settings, or run `cts gpu install`.'
}

/**
 * `problems` names each file that is missing or damaged ("libcudart.so.13 is missing"), or why the
 * pack does not fit this app (installed for another version).
 */
export function gpuPackDamagedMessage(problems: string[]): string {
  const what = problems.length ? ` (${problems.join('; ')})` : ''
  return `The NVIDIA GPU pack is damaged${what}. ${REINSTALL}`
}

/** The pack was installed while this program ran: its binding loads only in a new process. */
export function gpuPackRestartMessage(): string {
  return 'The NVIDIA GPU pack was installed after this program started: restart the app (or the command) to use it.'
}

/** The pack is whole and the driver recent enough, yet a CUDA session did not start. */
export function cudaSessionFailedMessage(error: string): string {
  return (
    `A CUDA session did not start: ${error}. Check that \`nvidia-smi\` lists the GPU; ` +
    `if it does, the GPU pack may be damaged. ${REINSTALL}`
  )
}

/** "libcudart.so.13 is missing", "libcublas.so.13 is damaged": one entry per file not present. */
export function packFileProblems(files: { name: string; state: string }[]): string[] {
  return files.filter((f) => f.state !== 'present').map((f) => `${f.name} is ${f.state}`)
}
