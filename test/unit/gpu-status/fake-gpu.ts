// Test helpers for the GPU status tests: a fake /proc/driver/nvidia, a fake GPU pack (optionally
// with COPIES of the real onnxruntime binding + library) and a small lock file naming its files.
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { GpuPackManifest } from '../../../main/shared/gpu-pack-paths'

/** onnxruntime-node's own binding folder on this machine. */
export function ortBinDir(): string {
  const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'))
  return join(pkg, 'bin', 'napi-v6', process.platform, process.arch)
}

/** A folder laid out like /proc/driver/nvidia: `driver` null → no version file; `gpu` null → no GPU. */
export function fakeNvidiaProc(dir: string, driver: string | null, gpu: string | null): string {
  mkdirSync(dir, { recursive: true })
  if (driver) {
    writeFileSync(
      join(dir, 'version'),
      `NVRM version: NVIDIA UNIX x86_64 Kernel Module  ${driver}  Release Build  (dvs-builder@U16-I3-B03-4-3)  Tue Jul  8 20:12:22 UTC 2025\n` +
        'GCC version:  gcc version 12.2.0 (Debian 12.2.0-14+deb12u1)\n',
    )
  }
  if (gpu) {
    const g = join(dir, 'gpus', '0000:01:00.0')
    mkdirSync(g, { recursive: true })
    writeFileSync(
      join(g, 'information'),
      `Model: \t\t ${gpu}\nIRQ:   \t\t 16\nGPU UUID: \t GPU-1\n`,
    )
  }
  return dir
}

/** The fake CUDA libraries: small files the lock and manifest list with their sizes. */
export const FAKE_LIBS: Record<string, string> = {
  'libonnxruntime_providers_shared.so': 'not a shared library: the providers of a fake pack\n',
  'libonnxruntime_providers_cuda.so': 'not a shared library: the CUDA provider of a fake pack\n',
  'libcudart.so.13': 'not a shared library: CUDA runtime\n',
}

/**
 * Writes `<root>/cuda13-ort1.30.0/` with COPIES of the real binding + libonnxruntime.so.1 (when
 * `real`) or small stand-ins, the FAKE_LIBS, and pack.json (override fields with `manifest`).
 */
export function fakeGpuPack(
  root: string,
  opts: { real?: boolean; manifest?: Partial<GpuPackManifest> } = {},
): string {
  const dir = join(root, 'cuda13-ort1.30.0')
  mkdirSync(dir, { recursive: true })
  const files: GpuPackManifest['files'] = []
  for (const name of ['onnxruntime_binding.node', 'libonnxruntime.so.1']) {
    if (opts.real) copyFileSync(join(ortBinDir(), name), join(dir, name))
    else writeFileSync(join(dir, name), `stand-in for ${name}\n`)
    files.push({
      name,
      sha256: 'x',
      size: statSync(join(dir, name)).size,
      from: 'onnxruntime-node',
    })
  }
  for (const [name, text] of Object.entries(FAKE_LIBS)) {
    writeFileSync(join(dir, name), text)
    files.push({ name, sha256: 'x', size: Buffer.byteLength(text), from: 'onnxruntime-gpu 1.30.0' })
  }
  const manifest: GpuPackManifest = {
    version: 'cuda13-ort1.30.0',
    platform: `${process.platform}-${process.arch}`,
    onnxruntimeNode: '1.30.0',
    lockSha256: 'x',
    installedAt: '2026-12-06T21:00:00.000Z',
    source: 'folder',
    files,
    ...opts.manifest,
  }
  writeFileSync(join(dir, 'pack.json'), JSON.stringify(manifest, null, 2))
  return dir
}

/** A lock file (G1's schema) whose files are the fake pack's; two wheels, two licences. */
export function fakeGpuLock(file: string): string {
  const sha = (c: string) => c.repeat(64)
  const extract = (names: string[]) =>
    names.map((to) => ({ from: `lib/${to}`, to, size: Buffer.byteLength(FAKE_LIBS[to]) }))
  const wheel = (name: string, licence: string, size: number, names: string[], c: string) => ({
    name,
    version: '1.0.0',
    file: `${name.replace(/-/g, '_')}-1.0.0-py3-none-manylinux_2_28_x86_64.whl`,
    url: `https://files.pythonhosted.org/packages/${name}-1.0.0.whl`,
    sha256: sha(c),
    size,
    licence,
    extract: extract(names),
  })
  const lock = {
    version: 'cuda13-ort1.30.0',
    minDriver: '580',
    onnxruntimeNode: '1.30.0',
    platforms: {
      'linux-x64': {
        implemented: true,
        binding: {
          dir: 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64',
          files: ['onnxruntime_binding.node', 'libonnxruntime.so.1'],
        },
        wheels: [
          wheel(
            'onnxruntime-gpu',
            'MIT',
            1000,
            ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'],
            'a',
          ),
          wheel(
            'nvidia-cuda-runtime',
            'LicenseRef-NVIDIA-Proprietary',
            234,
            ['libcudart.so.13'],
            'b',
          ),
        ],
      },
    },
  }
  writeFileSync(file, JSON.stringify(lock, null, 2))
  return file
}
