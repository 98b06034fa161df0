// The NVIDIA GPU and driver of this computer, read from /proc/driver/nvidia (Linux) or nvidia-smi
// (elsewhere). Test seam: CTS_NVIDIA_PROC names a folder laid out like /proc/driver/nvidia.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { CUDA_MIN_DRIVER } from './gpu-messages'

export interface NvidiaInfo {
  /** At least one NVIDIA GPU is known to the driver. */
  present: boolean
  /** The first GPU's model name, when the driver says it. */
  name: string | null
  /** The driver version ("580.65.06"), or null when no driver is loaded. */
  driver: string | null
  /** Where it was read: the proc folder, nvidia-smi, or nothing. */
  source: 'proc' | 'nvidia-smi' | 'none'
}

/** Reads the GPU and driver: the proc folder when there is one, else nvidia-smi on PATH. */
export function readNvidiaInfo(): NvidiaInfo {
  const seam = process.env.CTS_NVIDIA_PROC
  const proc = seam || '/proc/driver/nvidia'
  if (existsSync(proc)) return readProc(proc)
  // The seam stands for the whole machine: a test never depends on this machine's nvidia-smi.
  if (seam) return { present: false, name: null, driver: null, source: 'none' }
  return readNvidiaSmi() ?? { present: false, name: null, driver: null, source: 'none' }
}

function readProc(dir: string): NvidiaInfo {
  let driver: string | null = null
  try {
    driver = parseDriverVersion(readFileSync(join(dir, 'version'), 'utf8'))
  } catch {
    driver = null
  }
  let gpus: string[] = []
  try {
    gpus = readdirSync(join(dir, 'gpus')).sort()
  } catch {
    gpus = []
  }
  let name: string | null = null
  if (gpus.length) {
    try {
      const info = readFileSync(join(dir, 'gpus', gpus[0], 'information'), 'utf8')
      name = /^Model:\s*(.+?)\s*$/m.exec(info)?.[1] ?? null
    } catch {
      name = null
    }
  }
  return { present: gpus.length > 0, name, driver, source: 'proc' }
}

/**
 * The version in /proc/driver/nvidia/version's first line: "NVRM version: NVIDIA UNIX x86_64
 * Kernel Module  580.65.06  Sun Jul 27 …" (or "… Open Kernel Module for x86_64  580.65.06 …").
 */
export function parseDriverVersion(text: string): string | null {
  const line = text.split('\n').find((l) => l.startsWith('NVRM version:')) ?? ''
  return /Kernel Module(?: for \S+)?\s+(\d+(?:\.\d+)+)\b/.exec(line)?.[1] ?? null
}

function onPath(exe: string): boolean {
  const names = process.platform === 'win32' ? [`${exe}.exe`] : [exe]
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir && names.some((n) => existsSync(join(dir, n))))
}

function readNvidiaSmi(): NvidiaInfo | undefined {
  if (!onPath('nvidia-smi')) return undefined
  const r = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader'], {
    encoding: 'utf8',
    timeout: 10_000,
    windowsHide: true,
  })
  if (r.status !== 0 || !r.stdout) return undefined
  const first = r.stdout.split('\n').find((l) => l.trim())
  if (!first) return undefined
  const [name, driver] = first.split(',').map((s) => s.trim())
  return { present: true, name: name || null, driver: driver || null, source: 'nvidia-smi' }
}

/** Whether a driver version is recent enough for CUDA 13 (major ≥ 580). */
export function driverSupportsCuda(version: string | null): boolean {
  if (!version) return false
  return Number(version.split('.')[0]) >= Number(CUDA_MIN_DRIVER)
}
