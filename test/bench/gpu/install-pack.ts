// By-hand proof, step 1 (test/bench/gpu/prove-loading.sh): puts the REAL NVIDIA GPU pack into
// $CTS_GPU_PACK_DIR from the hash-checked wheels in a folder, with the app's installer (default)
// or, with --by-hand, by unzipping the members and writing pack.json the way the installer does.
//
//   npx tsx test/bench/gpu/install-pack.ts --wheels /work/cache/gpu-wheels [--by-hand]
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  createReadStream,
  mkdirSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  GPU_PACK_MANIFEST,
  GPU_PACK_VERSION,
  gpuPackDir,
  gpuPackPlatform,
  gpuPackRoot,
  type GpuPackFile,
} from '../../../main/shared/gpu-pack-paths'

const { values } = parseArgs({
  options: { wheels: { type: 'string' }, 'by-hand': { type: 'boolean', default: false } },
})
if (!values.wheels || !process.env.CTS_GPU_PACK_DIR) {
  console.error(
    'usage: CTS_GPU_PACK_DIR=<temp> install-pack.ts --wheels <folder of wheels> [--by-hand]',
  )
  process.exit(2)
}
const wheels = values.wheels
const started = performance.now()

if (!values['by-hand']) {
  const { installGpuPack } = await import('../../../main/services/gpu-pack/index')
  let lastPhase = ''
  const r = await installGpuPack({
    source: { kind: 'folder', dir: wheels },
    root: gpuPackRoot(),
    onProgress: (p) => {
      if (p.phase !== lastPhase) console.log(`install: ${p.phase}${p.file ? ` (${p.file})` : ''}`)
      lastPhase = p.phase
    },
  })
  console.log(
    `install: installer put ${r.files.length} files into ${r.dir} ` +
      `(alreadyInstalled ${r.alreadyInstalled}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
} else {
  // The same members, names and RUNPATH as resources/gpu/gpu-pack.lock.json (see NOTES14 layout).
  const members: [string, string[]][] = [
    [
      'onnxruntime_gpu-',
      [
        'onnxruntime/capi/libonnxruntime_providers_cuda.so',
        'onnxruntime/capi/libonnxruntime_providers_shared.so',
      ],
    ],
    ['nvidia_cublas-', ['nvidia/cu13/lib/libcublas.so.13', 'nvidia/cu13/lib/libcublasLt.so.13']],
    ['nvidia_cuda_runtime-', ['nvidia/cu13/lib/libcudart.so.13']],
    ['nvidia_curand-', ['nvidia/cu13/lib/libcurand.so.10']],
    ['nvidia_cufft-', ['nvidia/cu13/lib/libcufft.so.12']],
    [
      'nvidia_cuda_nvrtc-',
      ['nvidia/cu13/lib/libnvrtc.so.13', 'nvidia/cu13/lib/libnvrtc-builtins.so.13.5'],
    ],
    ['nvidia_cudnn_cu13-', ['nvidia/cudnn/lib/libcudnn*.so.9']],
  ]
  const dir = gpuPackDir()
  mkdirSync(dir, { recursive: true })
  const from = new Map<string, string>()
  for (const [prefix, paths] of members) {
    const wheel = readdirSync(wheels).find(
      (f) => f.startsWith(prefix) && f.includes('linux') && f.endsWith('.whl'),
    )
    if (!wheel) throw new Error(`no ${prefix}*linux*.whl in ${wheels}`)
    execFileSync('unzip', ['-q', '-j', '-o', join(wheels, wheel), ...paths, '-d', dir])
    for (const f of readdirSync(dir)) if (!from.has(f)) from.set(f, wheel)
  }
  execFileSync('patchelf', [
    '--set-rpath',
    '$ORIGIN',
    join(dir, 'libonnxruntime_providers_cuda.so'),
  ])
  const require = createRequire(import.meta.url)
  const ortPkg = dirname(require.resolve('onnxruntime-node/package.json'))
  const ortVersion = (require('onnxruntime-node/package.json') as { version: string }).version
  const bin = join(ortPkg, 'bin', 'napi-v6', process.platform, process.arch)
  for (const f of ['onnxruntime_binding.node', 'libonnxruntime.so.1']) {
    copyFileSync(join(bin, f), join(dir, f))
    from.set(f, 'onnxruntime-node')
  }
  const files: GpuPackFile[] = []
  for (const name of readdirSync(dir).sort()) {
    const hash = createHash('sha256')
    for await (const chunk of createReadStream(join(dir, name))) hash.update(chunk as Buffer)
    files.push({
      name,
      sha256: hash.digest('hex'),
      size: statSync(join(dir, name)).size,
      from: from.get(name)!,
    })
  }
  writeFileSync(
    join(dir, GPU_PACK_MANIFEST),
    JSON.stringify(
      {
        version: GPU_PACK_VERSION,
        platform: gpuPackPlatform(),
        onnxruntimeNode: ortVersion,
        lockSha256: 'by-hand',
        installedAt: new Date().toISOString(),
        source: 'folder',
        files,
      },
      null,
      2,
    ),
  )
  console.log(
    `install: by hand, ${files.length} files into ${dir} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
}
