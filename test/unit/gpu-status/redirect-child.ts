// Child process of ort-binding-redirect.test.ts: installs the redirect the way every entry does,
// loads onnxruntime-node, runs a tiny CPU session and prints where the binding was loaded from.
import '../../../main/shared/ort-binding-redirect-install'
import { readFileSync } from 'node:fs'
import * as ort from 'onnxruntime-node'
import { Graph, add, emitOnnx } from '../../../main/ml/graph'
import { ortBindingLoadedFrom } from '../../../main/shared/ort-binding-redirect'

const g = new Graph()
const x = g.input('x', 'float32', [2])
const model = emitOnnx({ inputs: [x], outputs: [{ name: 'y', tensor: add(x, 1) }] })
const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] })
const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2), [2]) })
// The dynamic linker's own record of which files this process mapped.
const mapped = readFileSync('/proc/self/maps', 'utf8')
  .split('\n')
  .map((l) => l.split(/\s+/).slice(5).join(' '))
  .filter((p) => /libonnxruntime\.so\.1$|onnxruntime_binding\.node$/.test(p))
process.stdout.write(
  JSON.stringify({
    y: Array.from(out.y.data as Float32Array),
    loadedFrom: ortBindingLoadedFrom(),
    mapped: [...new Set(mapped)].sort(),
  }) + '\n',
)
