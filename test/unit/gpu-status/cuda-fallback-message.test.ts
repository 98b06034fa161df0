// Why CUDA is not used, as the session layer tells it on a CPU fallback (issue #14 point 2): the
// one next step for each case, never "npm".
import * as ort from 'onnxruntime-node'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Graph, add, emitOnnx } from '../../../main/ml/graph'
import { SessionProvider, cudaLibraryInstalled } from '../../../main/ml/runtime'
import { cudaUnavailableReason } from '../../../main/ml/runtime/sessions'
import { fakeGpuPack, fakeNvidiaProc } from './fake-gpu'

const base = mkdtempSync(join(tmpdir(), 'cts-cuda-reason-'))
let n = 0
afterAll(() => rmSync(base, { recursive: true, force: true }))
const saved = { proc: process.env.CTS_NVIDIA_PROC, pack: process.env.CTS_GPU_PACK_DIR }
afterEach(() => {
  for (const [key, value] of [
    ['CTS_NVIDIA_PROC', saved.proc],
    ['CTS_GPU_PACK_DIR', saved.pack],
  ] as const) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
})

function machine(driver: string | null, gpu: string | null): string {
  process.env.CTS_NVIDIA_PROC = fakeNvidiaProc(join(base, `proc-${n}`), driver, gpu)
  process.env.CTS_GPU_PACK_DIR = join(base, `pack-${n++}`)
  return process.env.CTS_GPU_PACK_DIR
}

const REINSTALL =
  'Remove and install it again: in Settings (NVIDIA GPU), or run `cts gpu remove` then `cts gpu install`.'

describe('why CUDA is not available', () => {
  it('names the one next step for each case', () => {
    machine(null, null)
    expect(cudaUnavailableReason()).toBe(
      'No NVIDIA GPU was found on this computer (or its NVIDIA driver is not loaded): ' +
        'models run on the CPU, or on another GPU through WebGPU. Nothing needs to be installed.',
    )
    machine('550.54.14', 'NVIDIA T4')
    expect(cudaUnavailableReason()).toBe(
      'The NVIDIA driver on this computer is version 550.54.14; CUDA 13 needs version 580 or newer. ' +
        'Ask your IT department to update the NVIDIA driver, then restart the app.',
    )
    machine('580.65.06', 'NVIDIA T4')
    expect(cudaUnavailableReason()).toBe(
      'The NVIDIA GPU pack is not installed. Enable NVIDIA GPU in Settings, or run `cts gpu install`.',
    )
    const root = machine('580.65.06', 'NVIDIA T4')
    fakeGpuPack(root, { manifest: { onnxruntimeNode: '1.29.0' } })
    expect(cudaUnavailableReason()).toBe(
      'The NVIDIA GPU pack is damaged (the pack holds the binding of onnxruntime-node 1.29.0, ' +
        `this app runs 1.30.0). ${REINSTALL}`,
    )
    // Whole, but this (test) process loaded onnxruntime before the pack existed.
    fakeGpuPack(machine('580.65.06', 'NVIDIA T4'))
    expect(cudaLibraryInstalled()).toBe(false)
    expect(cudaUnavailableReason()).toBe(
      'The NVIDIA GPU pack was installed after this program started: restart the app (or the command) to use it.',
    )
  })

  it('the CPU fallback of a real session carries the whole next step, never npm', async () => {
    machine('580.65.06', 'NVIDIA T4')
    const g = new Graph()
    const x = g.input('x', 'float32', [2])
    const bytes = emitOnnx({ inputs: [x], outputs: [{ name: 'y', tensor: add(x, 1) }] })
    const h = await new SessionProvider().create(bytes, { device: 'cuda', threads: 1 })
    expect(h.provider).toBe('cpu')
    expect(h.fallbackMessage).toBe(
      'The CUDA device was asked for but the model runs on the CPU. CUDA is not available: ' +
        'The NVIDIA GPU pack is not installed. Enable NVIDIA GPU in Settings, or run `cts gpu install`.',
    )
    const r = await h.session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2), [2]) })
    expect(Array.from(r.y.data as Float32Array)).toEqual([2, 3])
    await h.session.release()
  })
})
