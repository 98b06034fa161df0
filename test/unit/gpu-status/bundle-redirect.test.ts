// The redirect in the desktop app's bundles (issue #14): esbuild hoists the external
// onnxruntime-node import above every bundled module, so each main bundle imports the redirect as
// its own module first; the bundled CUDA probe child, and the app's bundled job process running a
// 'cuda-probe' job, then load the GPU pack's binding.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { probeCudaInJob } from '../../../main/jobs/cuda-probe-host'
import { ForkHost } from '../../../main/jobs/fork-host'
import { fakeGpuPack } from './fake-gpu'

// Inside the repository (.cache/ is ignored): the bundles resolve onnxruntime-node from node_modules.
mkdirSync('.cache', { recursive: true })
const dir = resolve(mkdtempSync('.cache/ort-redirect-bundle-'))
const out = join(dir, 'out')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

beforeAll(() => {
  const built = spawnSync(process.execPath, ['scripts/build-node.mjs'], {
    env: { ...process.env, CTS_BUILD_OUT: out },
    encoding: 'utf8',
  })
  expect(built.status, built.stderr).toBe(0)
}, 120_000)

describe('the binding redirect in the bundles', () => {
  it('every main bundle imports the redirect module before anything else', () => {
    for (const bundle of [
      'app/electron-main.js',
      'backend/backend-entry.js',
      'jobs/job-host-entry.js',
      'backend/cuda-probe-entry.js',
    ]) {
      const first = readFileSync(join(out, 'main', bundle), 'utf8').split('\n')[0]
      expect([bundle, first]).toEqual([
        bundle,
        "import '../shared/ort-binding-redirect-install.js'",
      ])
    }
  })

  it('the bundled CUDA probe loads the pack’s binding and reports onnxruntime’s error', () => {
    const root = join(dir, 'pack')
    const pack = fakeGpuPack(root, { real: true })
    const run = spawnSync(process.execPath, [join(out, 'main/backend/cuda-probe-entry.js')], {
      env: { ...process.env, CTS_GPU_PACK_DIR: root },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(JSON.parse(run.stdout.trim())).toEqual({
      tag: 'cts-cuda-probe',
      sessionStarts: false,
      error: 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library',
      bindingFrom: join(pack, 'onnxruntime_binding.node'),
    })
  }, 60_000)

  it('the bundled job process (the app’s) runs the CUDA check on the pack’s binding', async () => {
    const root = join(dir, 'job-pack')
    const pack = fakeGpuPack(root, { real: true })
    const lib = join(pack, 'libonnxruntime_providers_shared.so')
    const host = new ForkHost({
      entry: join(out, 'main/jobs/job-host-entry.js'),
      env: { ...process.env, CTS_GPU_PACK_DIR: root },
    })
    expect(await probeCudaInJob(host)).toEqual({
      sessionStarts: false,
      error:
        'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library ' +
        `(Failed to load library ${lib} with error: ${lib}: file too short)`,
      bindingFrom: join(pack, 'onnxruntime_binding.node'),
    })
  }, 60_000)
})
