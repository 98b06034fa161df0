// By-hand proof, step 3 (test/bench/gpu/prove-loading.sh): with the pack in $CTS_GPU_PACK_DIR and
// the stub libcuda.so.1 on LD_LIBRARY_PATH, a session asking for 'cuda' must fail with CUDA's
// no-device error — which proves onnxruntime's CUDA provider and NVIDIA's libraries all loaded.
// Prints the error, where the binding came from and which libraries got mapped (/proc/self/maps).
import '../../../main/shared/ort-binding-redirect-install'
import { readFileSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import { Graph, add, emitOnnx } from '../../../main/ml/graph'
import { ortBindingLoadedFrom } from '../../../main/shared/ort-binding-redirect'
import { gpuPackDir } from '../../../main/shared/gpu-pack-paths'
import { SESSION_START_FILES } from '../../unit/gpu-pack/linux-pack-files'

// Only after the redirect is installed: onnxruntime-node must load the pack's binding.
const ort = await import('onnxruntime-node')
const pack = gpuPackDir()
const g = new Graph()
const x = g.input('x', 'float32', [2])
const model = emitOnnx({ inputs: [x], outputs: [{ name: 'y', tensor: add(x, 1) }] })

let error = ''
try {
  const s = await ort.InferenceSession.create(model, { executionProviders: ['cuda'] })
  await s.release()
  error = '(none: the session started)'
} catch (e) {
  error = e instanceof Error ? e.message : String(e)
}
// The app's own path: asked for 'cuda', it runs on the CPU and says why, in the user's words.
const { createSession } = await import('../../../main/ml/runtime')
const app = await createSession(model, { device: 'cuda' })
console.log(`app session: provider ${app.provider}; message: ${app.fallbackMessage ?? '(none)'}`)
await app.session.release()
console.log(`binding loaded from: ${ortBindingLoadedFrom() ?? "onnxruntime-node's own folder"}`)
console.log(`session error: ${error.split('\n').join(' | ')}`)

const mapped = new Map<string, string>()
for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
  const path = line.split(/\s+/)[5]
  if (path && /\.so(\.|$)|\.node$/.test(path) && /onnxruntime|cu|nvrtc|cudnn/.test(basename(path)))
    mapped.set(basename(path), dirname(path))
}
for (const [name, dir] of [...mapped].sort())
  console.log(`mapped: ${name}  ${dir === pack ? '(pack)' : dir}`)

const needed = SESSION_START_FILES
const fromPack = needed.filter((n) => mapped.get(n) === pack)
const stub = mapped.has('libcuda.so.1')
const noDevice = /no CUDA-capable device|CUDA_ERROR_NO_DEVICE|cudaErrorNoDevice/i.test(error)
const ok = fromPack.length === needed.length && stub && noDevice
console.log(
  `PROOF ${ok ? 'PASSED' : 'FAILED'}: ${fromPack.length}/${needed.length} pack libraries mapped from the pack, ` +
    `stub libcuda.so.1 ${stub ? 'mapped' : 'NOT mapped'}, no-device error ${noDevice ? 'seen' : 'NOT seen'}`,
)
process.exit(ok ? 0 : 1)
