// Whether this computer has a hardware GPU adapter for WebGPU, decided from files alone (Vulkan ICD
// manifests, DRM render nodes) so that no Dawn device is created in-process just to find out.
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { basename, join } from 'node:path'

export interface WebGpuAdapterReport {
  /** A hardware GPU (Intel, AMD, NVIDIA, a paravirtual GPU) that Dawn's Vulkan backend can use. */
  hardware: boolean
  /** Software Vulkan drivers found (lavapipe, llvmpipe, SwiftShader): CPU adapters. */
  software: string[]
  /** Hardware Vulkan drivers found (by library name), useful only with a render node. */
  vulkanDrivers: string[]
  /** Kernel drivers behind /dev/dri/renderD* (i915, xe, amdgpu, nouveau, nvidia, …). */
  renderNodes: { node: string; driver: string | null }[]
  /** One line saying why, for logs and fallback messages. */
  reason: string
}

/** Vulkan driver libraries (or ICD file names) that run on the CPU. */
const SOFTWARE_ICD = /(^|[_/.-])(lvp|lavapipe|llvmpipe|swiftshader|vk_swiftshader)([_.-]|$)/i
/** Kernel drivers of render nodes without a GPU behind them. */
const SOFTWARE_DRM = new Set(['vgem', 'vkms'])

const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d']

/**
 * Test seams: CTS_WEBGPU_ADAPTER=hardware|software|none overrides the answer; CTS_VULKAN_ROOT is
 * a folder that stands for "/" when reading ICD folders, /dev/dri and /sys/class/drm.
 */
export function detectWebGpuAdapter(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): WebGpuAdapterReport {
  const forced = env.CTS_WEBGPU_ADAPTER
  if (forced === 'hardware' || forced === 'software' || forced === 'none') {
    return {
      hardware: forced === 'hardware',
      software: forced === 'software' ? ['lavapipe'] : [],
      vulkanDrivers: [],
      renderNodes: [],
      reason: `set by CTS_WEBGPU_ADAPTER=${forced}`,
    }
  }
  // D3D12 and Metal adapters are hardware (Dawn leaves WARP out unless asked for the fallback).
  if (platform !== 'linux') {
    return { hardware: true, software: [], vulkanDrivers: [], renderNodes: [], reason: platform }
  }
  const root = env.CTS_VULKAN_ROOT ?? ''
  const software: string[] = []
  const vulkanDrivers: string[] = []
  for (const lib of icdLibraries(root, env)) {
    const name = basename(lib)
    if (SOFTWARE_ICD.test(name)) software.push(softwareName(name))
    else vulkanDrivers.push(name)
  }
  const renderNodes = listRenderNodes(root)
  const gpuNodes = renderNodes.filter((n) => n.driver === null || !SOFTWARE_DRM.has(n.driver))
  const hardware = vulkanDrivers.length > 0 && gpuNodes.length > 0
  const reason = hardware
    ? `hardware GPU adapter: ${gpuNodes.map((n) => `${n.node} (${n.driver ?? 'unknown driver'})`).join(', ')}`
    : vulkanDrivers.length === 0
      ? software.length
        ? `only a software Vulkan driver (${[...new Set(software)].join(', ')})`
        : 'no Vulkan driver'
      : `no GPU render node in /dev/dri${software.length ? `; only a software Vulkan driver (${[...new Set(software)].join(', ')}) can run` : ''}`
  return { hardware, software: [...new Set(software)], vulkanDrivers, renderNodes, reason }
}

/** Whether WebGPU would find only a software (CPU) adapter, or none: automatic choice skips it. */
export function hasHardwareWebGpuAdapter(env: NodeJS.ProcessEnv = process.env): boolean {
  return detectWebGpuAdapter(env).hardware
}

/** True when the only Vulkan adapters are software ones (lavapipe, llvmpipe, SwiftShader). */
export function webgpuAdapterIsSoftware(env: NodeJS.ProcessEnv = process.env): boolean {
  const r = detectWebGpuAdapter(env)
  return !r.hardware && r.software.length > 0
}

function softwareName(lib: string): string {
  if (/lvp|lavapipe/i.test(lib)) return 'lavapipe'
  if (/llvmpipe/i.test(lib)) return 'llvmpipe'
  return 'SwiftShader'
}

/** The driver libraries the Vulkan loader would load, as it finds them (VK_DRIVER_FILES first). */
function icdLibraries(root: string, env: NodeJS.ProcessEnv): string[] {
  const listed = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES
  const files: string[] = []
  if (listed) {
    for (const entry of listed.split(':').filter(Boolean)) {
      const path = root + entry
      if (entry.endsWith('.json')) files.push(path)
      else files.push(...jsonFiles(path))
    }
  } else {
    for (const dir of ICD_DIRS) files.push(...jsonFiles(root + dir))
  }
  for (const entry of (env.VK_ADD_DRIVER_FILES ?? '').split(':').filter(Boolean)) {
    files.push(root + entry)
  }
  const libs: string[] = []
  for (const file of files) {
    // An unreadable or foreign manifest is skipped, as the Vulkan loader does.
    try {
      const icd = JSON.parse(readFileSync(file, 'utf8')) as { ICD?: { library_path?: unknown } }
      const lib = icd.ICD?.library_path
      libs.push(typeof lib === 'string' ? lib : basename(file))
    } catch {
      continue
    }
  }
  return libs
}

function jsonFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(dir, f))
  } catch {
    return []
  }
}

function listRenderNodes(root: string): { node: string; driver: string | null }[] {
  let names: string[]
  try {
    names = readdirSync(root + '/dev/dri').filter((n) => /^renderD\d+$/.test(n))
  } catch {
    return []
  }
  return names.sort().map((node) => ({ node, driver: drmDriver(root, node) }))
}

function drmDriver(root: string, node: string): string | null {
  const link = `${root}/sys/class/drm/${node}/device/driver`
  try {
    return basename(readlinkSync(link))
  } catch {
    // Fake roots in tests may hold a plain file naming the driver instead of a symlink.
    try {
      return existsSync(link) ? readFileSync(link, 'utf8').trim() || null : null
    } catch {
      return null
    }
  }
}

/** Why a WebGPU session could not start, in words a clinician can pass on to IT. */
export function webgpuUnavailableText(env: NodeJS.ProcessEnv = process.env): string {
  const r = detectWebGpuAdapter(env)
  if (r.hardware || r.software.length === 0) {
    return 'WebGPU is not available (no GPU adapter was found on this computer)'
  }
  // Mesa before 23 lacks Vulkan features Dawn requires (shaderUniform*ArrayDynamicIndexing).
  return (
    `WebGPU is not available (no hardware GPU adapter; Dawn refused the software adapter ` +
    `(${r.software.join(', ')}): its Vulkan driver is too old for WebGPU — Mesa 25, e.g. Debian’s ` +
    `bookworm-backports mesa-vulkan-drivers, works)`
  )
}
