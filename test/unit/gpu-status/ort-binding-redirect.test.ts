// The GPU pack's binding redirect (issue #14): with a whole pack onnxruntime-node loads the
// pack's COPY of its binding (and so the pack's libonnxruntime.so.1); otherwise its own.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { quickCheckGpuPack } from '../../../main/shared/ort-binding-redirect'
import { fakeGpuPack, ortBinDir } from './fake-gpu'

const CHILD = fileURLToPath(new URL('./redirect-child.ts', import.meta.url))
const temps: string[] = []
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'cts-redirect-'))
  temps.push(d)
  return d
}
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })))

interface ChildOut {
  y: number[]
  loadedFrom: string | null
  mapped: string[]
}

function runChild(root: string): ChildOut {
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, CTS_GPU_PACK_DIR: root },
    encoding: 'utf8',
  })
  return JSON.parse(out.trim().split('\n').pop()!) as ChildOut
}

const own = () => [
  join(ortBinDir(), 'libonnxruntime.so.1'),
  join(ortBinDir(), 'onnxruntime_binding.node'),
]

describe('loading onnxruntime-node’s binding from the GPU pack', () => {
  it('a whole pack: the binding and libonnxruntime.so.1 come from the pack, a CPU session runs', () => {
    const root = temp()
    const dir = fakeGpuPack(root, { real: true })
    expect(runChild(root)).toEqual({
      y: [2, 3],
      loadedFrom: join(dir, 'onnxruntime_binding.node'),
      mapped: [join(dir, 'libonnxruntime.so.1'), join(dir, 'onnxruntime_binding.node')],
    })
  }, 60_000)

  it('a pack for another onnxruntime-node version is not loaded', () => {
    const root = temp()
    const dir = fakeGpuPack(root, { real: true, manifest: { onnxruntimeNode: '1.29.0' } })
    expect(runChild(root)).toEqual({ y: [2, 3], loadedFrom: null, mapped: own() })
    expect(quickCheckGpuPack(dir)).toMatchObject({
      state: 'damaged',
      mismatch: 'the pack holds the binding of onnxruntime-node 1.29.0, this app runs 1.30.0',
    })
  }, 60_000)

  it('a pack without its binding file is not loaded', () => {
    const root = temp()
    const dir = fakeGpuPack(root, { real: true })
    unlinkSync(join(dir, 'onnxruntime_binding.node'))
    expect(runChild(root)).toEqual({ y: [2, 3], loadedFrom: null, mapped: own() })
    expect(quickCheckGpuPack(dir).files[0]).toEqual({
      name: 'onnxruntime_binding.node',
      state: 'missing',
    })
  }, 60_000)

  it('quick check: no manifest → not installed; a file of another size → damaged', () => {
    const root = temp()
    expect(quickCheckGpuPack(join(root, 'cuda13-ort1.30.0'))).toMatchObject({
      state: 'not-installed',
      files: [],
      mismatch: null,
    })
    const dir = fakeGpuPack(root)
    expect(quickCheckGpuPack(dir).state).toBe('installed')
    writeFileSync(join(dir, 'libcudart.so.13'), 'shorter\n')
    expect(quickCheckGpuPack(dir)).toMatchObject({
      state: 'damaged',
      mismatch: null,
      files: [
        { name: 'onnxruntime_binding.node', state: 'present' },
        { name: 'libonnxruntime.so.1', state: 'present' },
        { name: 'libonnxruntime_providers_shared.so', state: 'present' },
        { name: 'libonnxruntime_providers_cuda.so', state: 'present' },
        { name: 'libcudart.so.13', state: 'damaged' },
      ],
    })
  })
})
