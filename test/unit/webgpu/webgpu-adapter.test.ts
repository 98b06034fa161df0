// Automatic device choice never picks a software WebGPU adapter (lavapipe, llvmpipe, SwiftShader);
// an explicit --device webgpu still tries it. Fake Vulkan ICD folders, /dev/dri and /sys roots.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type * as ort from 'onnxruntime-node'
import { afterEach, describe, expect, it } from 'vitest'
import { SessionProvider } from '../../../main/ml/runtime'
import {
  detectWebGpuAdapter,
  webgpuAdapterIsSoftware,
  webgpuUnavailableText,
} from '../../../main/ml/runtime/webgpu-adapter'

type Opts = ort.InferenceSession.SessionOptions

/** A fake "/" holding ICD manifests (name → driver library) and render nodes (node → kernel driver). */
function fakeRoot(icds: Record<string, string>, nodes: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'cts-vk-'))
  mkdirSync(join(root, 'usr/share/vulkan/icd.d'), { recursive: true })
  for (const [name, lib] of Object.entries(icds)) {
    const icd = { file_format_version: '1.0.0', ICD: { library_path: lib, api_version: '1.3.230' } }
    writeFileSync(join(root, 'usr/share/vulkan/icd.d', name), JSON.stringify(icd))
  }
  for (const [node, driver] of Object.entries(nodes)) {
    mkdirSync(join(root, 'dev/dri'), { recursive: true })
    writeFileSync(join(root, 'dev/dri', node), '')
    mkdirSync(join(root, 'sys/bus/pci/drivers', driver), { recursive: true })
    mkdirSync(join(root, 'sys/class/drm', node, 'device'), { recursive: true })
    symlinkSync(
      join(root, 'sys/bus/pci/drivers', driver),
      join(root, 'sys/class/drm', node, 'device/driver'),
    )
  }
  return root
}

const LVP = { 'lvp_icd.x86_64.json': '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so' }
const INTEL = { 'intel_icd.x86_64.json': '/usr/lib/x86_64-linux-gnu/libvulkan_intel.so' }
const RADEON = { 'radeon_icd.x86_64.json': '/usr/lib/x86_64-linux-gnu/libvulkan_radeon.so' }
const env = (root: string, extra: NodeJS.ProcessEnv = {}) => ({ CTS_VULKAN_ROOT: root, ...extra })

/** A factory where only the listed providers start, recording every attempt. */
function fakeFactory(works: string[]) {
  const calls: string[] = []
  const factory = async (_m: Uint8Array, o: Opts) => {
    const ep = String(o.executionProviders?.[0])
    calls.push(ep)
    if (!works.includes(ep)) {
      throw new Error(
        ep === 'webgpu'
          ? 'Failed to get a WebGPU adapter: No supported adapters'
          : `${ep}: missing`,
      )
    }
    return { release: async () => {} } as unknown as ort.InferenceSession
  }
  return { factory, calls }
}

const model = new Uint8Array([1])

describe('detecting the WebGPU adapter from files', () => {
  it('lavapipe alone (Debian mesa-vulkan-drivers in CI, no /dev/dri) is software only', () => {
    const r = detectWebGpuAdapter(env(fakeRoot({ ...LVP, ...INTEL, ...RADEON })), 'linux')
    expect(r).toEqual({
      hardware: false,
      software: ['lavapipe'],
      vulkanDrivers: ['libvulkan_intel.so', 'libvulkan_radeon.so'],
      renderNodes: [],
      reason: 'no GPU render node in /dev/dri; only a software Vulkan driver (lavapipe) can run',
    })
    expect(webgpuAdapterIsSoftware(env(fakeRoot(LVP)))).toBe(process.platform === 'linux')
  })

  it('an Intel (i915) or AMD (amdgpu) render node with its Vulkan driver is hardware', () => {
    const intel = detectWebGpuAdapter(
      env(fakeRoot({ ...LVP, ...INTEL }, { renderD128: 'i915' })),
      'linux',
    )
    expect(intel.hardware).toBe(true)
    expect(intel.renderNodes).toEqual([{ node: 'renderD128', driver: 'i915' }])
    expect(intel.reason).toBe('hardware GPU adapter: renderD128 (i915)')
    const amd = detectWebGpuAdapter(env(fakeRoot(RADEON, { renderD129: 'amdgpu' })), 'linux')
    expect(amd.hardware).toBe(true)
  })

  it('a render node without a GPU (vgem) or a GPU without a hardware Vulkan driver is not', () => {
    expect(
      detectWebGpuAdapter(env(fakeRoot({ ...LVP, ...INTEL }, { renderD128: 'vgem' })), 'linux')
        .hardware,
    ).toBe(false)
    const noDriver = detectWebGpuAdapter(env(fakeRoot(LVP, { renderD128: 'i915' })), 'linux')
    expect(noDriver).toMatchObject({ hardware: false, software: ['lavapipe'] })
    expect(noDriver.reason).toBe('only a software Vulkan driver (lavapipe)')
  })

  it('VK_ICD_FILENAMES / VK_DRIVER_FILES restrict the drivers as the Vulkan loader does', () => {
    const root = fakeRoot({ ...LVP, ...INTEL }, { renderD128: 'i915' })
    const only = '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json'
    expect(detectWebGpuAdapter(env(root, { VK_ICD_FILENAMES: only }), 'linux').hardware).toBe(false)
    expect(detectWebGpuAdapter(env(root, { VK_DRIVER_FILES: only }), 'linux').hardware).toBe(false)
    const sw = fakeRoot({ 'sw.json': '/opt/sws/libvk_swiftshader.so' })
    expect(detectWebGpuAdapter(env(sw), 'linux').software).toEqual(['SwiftShader'])
  })

  it('Windows and macOS adapters (D3D12, Metal) count as hardware', () => {
    expect(detectWebGpuAdapter({}, 'win32').hardware).toBe(true)
    expect(detectWebGpuAdapter({}, 'darwin').hardware).toBe(true)
  })
})

describe('automatic device choice and WebGPU', () => {
  const saved = { ...process.env }
  afterEach(() => {
    for (const k of [
      'CTS_VULKAN_ROOT',
      'CTS_WEBGPU_ADAPTER',
      'VK_ICD_FILENAMES',
      'VK_DRIVER_FILES',
    ]) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  })
  const use = (root: string) => {
    delete process.env.CTS_WEBGPU_ADAPTER
    delete process.env.VK_ICD_FILENAMES
    delete process.env.VK_DRIVER_FILES
    process.env.CTS_VULKAN_ROOT = root
  }
  // The process's platform decides; these cases hold on Linux, where CI and lavapipe live.
  const linux = process.platform === 'linux'

  it('lavapipe only: auto never tries webgpu and says nothing about it', async () => {
    use(fakeRoot({ ...LVP, ...INTEL }))
    const f = fakeFactory(['cpu'])
    const h = await new SessionProvider(f.factory).create(model)
    expect(f.calls).toEqual(linux ? ['cuda', 'cpu'] : ['cuda', 'webgpu', 'cpu'])
    expect(h.provider).toBe('cpu')
    if (linux) expect(h.fallbackMessage).not.toMatch(/WebGPU/)
    // A working software adapter is still not picked by auto.
    const g = fakeFactory(['cpu', 'webgpu'])
    const h2 = await new SessionProvider(g.factory).create(model)
    expect(h2.provider).toBe(linux ? 'cpu' : 'webgpu')
  })

  it('a hardware render node (i915, amdgpu): auto tries webgpu and uses it', async () => {
    for (const [icd, driver] of [
      [INTEL, 'i915'],
      [RADEON, 'amdgpu'],
    ] as const) {
      use(fakeRoot({ ...LVP, ...icd }, { renderD128: driver }))
      const f = fakeFactory(['cpu', 'webgpu'])
      const h = await new SessionProvider(f.factory).create(model)
      expect(f.calls).toEqual(['cuda', 'webgpu'])
      expect(h.provider).toBe('webgpu')
    }
  })

  it('explicit webgpu on lavapipe is tried, and used when Dawn accepts it', async () => {
    use(fakeRoot(LVP))
    const f = fakeFactory(['cpu', 'webgpu'])
    const h = await new SessionProvider(f.factory).create(model, { device: 'webgpu' })
    expect(f.calls).toEqual(['webgpu'])
    expect(h).toMatchObject({ provider: 'webgpu', fallbackMessage: undefined })
  })

  it('explicit webgpu refused on lavapipe: the message says there is no hardware adapter and why', async () => {
    use(fakeRoot(LVP))
    const f = fakeFactory(['cpu'])
    const h = await new SessionProvider(f.factory).create(model, { device: 'webgpu' })
    expect(f.calls).toEqual(['webgpu', 'cpu'])
    expect(h.provider).toBe('cpu')
    expect(h.fallbackMessage).toBe(
      linux
        ? 'The WEBGPU device was asked for but the model runs on the CPU. WebGPU is not available ' +
            '(no hardware GPU adapter; Dawn refused the software adapter (lavapipe): its Vulkan driver ' +
            'is too old for WebGPU — Mesa 25, e.g. Debian’s bookworm-backports mesa-vulkan-drivers, works): ' +
            'Failed to get a WebGPU adapter: No supported adapters.'
        : 'The WEBGPU device was asked for but the model runs on the CPU. WebGPU is not available ' +
            '(no GPU adapter was found on this computer): Failed to get a WebGPU adapter: No supported adapters.',
    )
  })

  it('the unavailable text without any Vulkan driver stays the plain one', () => {
    expect(webgpuUnavailableText(env(fakeRoot({})))).toBe(
      'WebGPU is not available (no GPU adapter was found on this computer)',
    )
  })
})
