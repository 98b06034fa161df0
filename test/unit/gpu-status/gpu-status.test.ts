// `cts gpu status` without a GPU (issue #14): fake /proc/driver/nvidia folders and fake packs give
// each case its exact state and its one next step; the CUDA probe's own error surfaces.
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { gpuStatus } from '../../../main/services/gpu-status'
import { FAKE_LIBS, fakeGpuLock, fakeGpuPack, fakeNvidiaProc } from './fake-gpu'

let base = ''
let lockFile = ''
let n = 0
const fresh = (name: string) => join(base, `${name}-${n++}`)
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'cts-gpu-status-'))
  lockFile = fakeGpuLock(join(base, 'gpu-pack.lock.json'))
})
afterAll(() => rmSync(base, { recursive: true, force: true }))
const savedProc = process.env.CTS_NVIDIA_PROC
afterEach(() => {
  if (savedProc === undefined) delete process.env.CTS_NVIDIA_PROC
  else process.env.CTS_NVIDIA_PROC = savedProc
})

const GPU = 'NVIDIA RTX A2000 12GB'
const LIBS = [
  'onnxruntime_binding.node',
  'libonnxruntime.so.1',
  'libonnxruntime_providers_shared.so',
  'libonnxruntime_providers_cuda.so',
  'libcudart.so.13',
]
const LICENCES = [
  { name: 'onnxruntime-gpu', licence: 'MIT' },
  { name: 'nvidia-cuda-runtime', licence: 'LicenseRef-NVIDIA-Proprietary' },
]

function machine(driver: string | null, gpu: string | null): void {
  process.env.CTS_NVIDIA_PROC = fakeNvidiaProc(fresh('proc'), driver, gpu)
}

describe('gpu status on fake machines', () => {
  it('no NVIDIA GPU', async () => {
    machine(null, null)
    const root = fresh('pack')
    const s = await gpuStatus({ root, lockFile })
    expect(s).toEqual({
      platform: 'linux-x64',
      supported: true,
      gpu: { present: false, name: null },
      driver: { version: null, minimum: '580', ok: false },
      pack: {
        state: 'not-installed',
        dir: join(root, 'cuda13-ort1.30.0'),
        version: 'cuda13-ort1.30.0',
        sizeBytes: 1234,
        files: LIBS.map((name) => ({ name, state: 'missing' })),
      },
      cuda: { sessionStarts: null, error: null },
      message:
        'No NVIDIA GPU was found on this computer (or its NVIDIA driver is not loaded): ' +
        'models run on the CPU, or on another GPU through WebGPU. Nothing needs to be installed.',
      licences: LICENCES,
    })
  })

  it('driver 550.54.14: too old for CUDA 13, the found version named', async () => {
    machine('550.54.14', GPU)
    const s = await gpuStatus({ root: fresh('pack'), lockFile })
    expect(s.gpu).toEqual({ present: true, name: GPU })
    expect(s.driver).toEqual({ version: '550.54.14', minimum: '580', ok: false })
    expect(s.message).toBe(
      'The NVIDIA driver on this computer is version 550.54.14; CUDA 13 needs version 580 or newer. ' +
        'Ask your IT department to update the NVIDIA driver, then restart the app.',
    )
  })

  it('driver 580.65.06 without the pack: not installed, and the probe is not started', async () => {
    machine('580.65.06', GPU)
    const s = await gpuStatus({ root: fresh('pack'), lockFile, probe: true })
    expect(s.driver).toEqual({ version: '580.65.06', minimum: '580', ok: true })
    expect(s.pack.state).toBe('not-installed')
    expect(s.cuda).toEqual({ sessionStarts: false, error: 'the NVIDIA GPU pack is not installed' })
    expect(s.message).toBe(
      'The NVIDIA GPU pack is not installed. Enable NVIDIA GPU in Settings, or run `cts gpu install`.',
    )
    expect(s.message).not.toMatch(/npm/)
  })

  it('a pack with one file missing and one of the wrong size: damaged, each file’s state', async () => {
    machine('580.65.06', GPU)
    const root = fresh('pack')
    const dir = fakeGpuPack(root)
    unlinkSync(join(dir, 'libonnxruntime_providers_cuda.so'))
    writeFileSync(join(dir, 'libcudart.so.13'), FAKE_LIBS['libcudart.so.13'] + 'garbage')
    const s = await gpuStatus({ root, lockFile, probe: true })
    expect(s.pack).toEqual({
      state: 'damaged',
      dir,
      version: 'cuda13-ort1.30.0',
      // What pack.json lists: the two stand-ins and the three fake libraries.
      sizeBytes: [
        'stand-in for onnxruntime_binding.node\n',
        'stand-in for libonnxruntime.so.1\n',
        ...Object.values(FAKE_LIBS),
      ].reduce((sum, t) => sum + Buffer.byteLength(t), 0),
      files: [
        { name: 'onnxruntime_binding.node', state: 'present' },
        { name: 'libonnxruntime.so.1', state: 'present' },
        { name: 'libonnxruntime_providers_shared.so', state: 'present' },
        { name: 'libonnxruntime_providers_cuda.so', state: 'missing' },
        { name: 'libcudart.so.13', state: 'damaged' },
      ],
    })
    expect(s.cuda).toEqual({ sessionStarts: false, error: 'the NVIDIA GPU pack is damaged' })
    expect(s.message).toBe(
      'The NVIDIA GPU pack is damaged (libonnxruntime_providers_cuda.so is missing; ' +
        'libcudart.so.13 is damaged). Remove and install it again: in Settings (NVIDIA GPU), ' +
        'or run `cts gpu remove` then `cts gpu install`.',
    )
  })

  it('a pack for another app version is damaged, and says why', async () => {
    machine('580.65.06', GPU)
    const root = fresh('pack')
    fakeGpuPack(root, { manifest: { onnxruntimeNode: '1.29.0' } })
    const s = await gpuStatus({ root, lockFile })
    expect(s.pack.state).toBe('damaged')
    expect(s.pack.files.every((f) => f.state === 'present')).toBe(true)
    expect(s.message).toBe(
      'The NVIDIA GPU pack is damaged (the pack holds the binding of onnxruntime-node 1.29.0, ' +
        'this app runs 1.30.0). Remove and install it again: in Settings (NVIDIA GPU), ' +
        'or run `cts gpu remove` then `cts gpu install`.',
    )
  })

  it('a whole pack on this CPU machine: the probe child’s onnxruntime error surfaces', async () => {
    machine('580.65.06', GPU)
    const root = fresh('pack')
    const dir = fakeGpuPack(root, { real: true })
    const s = await gpuStatus({ root, lockFile, probe: true })
    expect(s.pack.state).toBe('installed')
    expect(s.pack.files.every((f) => f.state === 'present')).toBe(true)
    const lib = join(dir, 'libonnxruntime_providers_shared.so')
    const error =
      'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library ' +
      `(Failed to load library ${lib} with error: ${lib}: file too short)`
    expect(s.cuda).toEqual({ sessionStarts: false, error })
    expect(s.message).toBe(
      `A CUDA session did not start: ${error}. Check that \`nvidia-smi\` lists the GPU; ` +
        'if it does, the GPU pack may be damaged. Remove and install it again: in Settings ' +
        '(NVIDIA GPU), or run `cts gpu remove` then `cts gpu install`.',
    )
  }, 60_000)
})
