// How fast issue #13's ratios could be on THIS CPU at best: the matrix products of a MiniLM
// forward pass and training step, timed alone in onnxruntime-node (our runtime: fp32 MatMul, and
// the int8 DynamicQuantizeMatMul our prediction graph uses) and in PyTorch (fp32, same threads),
// against PyTorch's whole forward pass and padded training step measured in the same run. A
// ratio "PyTorch's whole pass / our products alone" is a ceiling: even if everything in our graph
// but its products took no time, ours / PyTorch could not exceed it.
//
//   npm run bench:ceiling [-- --threads 2 --batch 16 --length 128 --repeat 7]
//
// Products per layer, x·Wᵀ as [M × in]·[in × out] with M = batch × length: Q, K and V as one
// [384 × 1152] (as the int8 graph merges them), the attention output [384 × 384], the FFN
// [384 × 1536] and [1536 × 384]; attention scores and context per head (12 × 32). A training step
// adds, per linear layer, dX = G·W and dW = Gᵀ·X, and per attention product its two gradients.
// Embeddings, pooling and the head are left out (under 0.1 % of the products).
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import * as ort from 'onnxruntime-node'
import { encodeModel, valueInfo } from '../../main/ml/graph'
import { percentile } from '../../main/ml/eval/bootstrap'
import { type NodeObj, ONNX_DTYPE, type TensorProtoObj } from '../../main/ml/graph/onnx-proto'
import { withOpsetImport } from '../../main/ml/infer/quantize'
import { bytesOf, bytesOf64, MS_DOMAIN, ONNX_INT8 } from '../../main/ml/infer/quantize-token'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const { values: a } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '16' },
    length: { type: 'string', default: '128' },
    repeat: { type: 'string', default: '7' },
    model: { type: 'string', default: join(ROOT, 'resources/models/all-MiniLM-L6-v2') },
  },
})
const THREADS = Number(a.threads)
const B = Number(a.batch)
const L = Number(a.length)
const REPEAT = Number(a.repeat)
const LAYERS = 6
const HIDDEN = 384
const FFN = 1536
const HEADS = 12
const HEAD = HIDDEN / HEADS
const M = B * L

/** One product A[...lead, m, k] · B[...lead, k, n]. */
type Shape = number[]
const flops = (s: Shape) => 2 * s.reduce((p, d) => p * d, 1)
const lead = (s: Shape) => s.slice(0, -3)
const dims = (s: Shape) => s.slice(-3) as [number, number, number]

const linear: Shape[] = [
  [M, HIDDEN, 3 * HIDDEN],
  [M, HIDDEN, HIDDEN],
  [M, HIDDEN, FFN],
  [M, FFN, HIDDEN],
]
const attention: Shape[] = [
  [B * HEADS, L, HEAD, L],
  [B * HEADS, L, L, HEAD],
]
/** A linear layer's gradients: dX = G·W [M × out]·[out × in], dW = Gᵀ·X [out × M]·[M × in]. */
const linearGrads = (s: Shape): Shape[] => {
  const [m, k, n] = dims(s)
  return [
    [m, n, k],
    [n, m, k],
  ]
}
/** Scores S = Q·Kᵀ: dQ = dS·K, dK = dSᵀ·Q; context C = P·V: dP = dC·Vᵀ, dV = Pᵀ·dC. */
const attentionGrads: Shape[] = [
  [B * HEADS, L, L, HEAD],
  [B * HEADS, L, L, HEAD],
  [B * HEADS, L, HEAD, L],
  [B * HEADS, L, L, HEAD],
]
const stepProducts = [...linear, ...linear.flatMap(linearGrads), ...attention, ...attentionGrads]
const unique = [...new Map([...linear, ...stepProducts].map((s) => [s.join('x'), s])).values()]

const floats = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.5)

/** A one-node model: MatMul of two inputs (as in a training step, weights fed), or int8. */
function productModel(s: Shape, kind: 'fp32' | 'int8'): Uint8Array {
  const [m, k, n] = dims(s)
  const aShape = [...lead(s), m, k]
  // Only one element of the product leaves the session: onnxruntime-node copies every output into
  // a fresh JS buffer, which for a whole [M × N] product costs more than the product itself.
  const ones = [...lead(s), m, n].map(() => 1)
  const corners: TensorProtoObj[] = [
    {
      name: 'starts',
      data_type: ONNX_DTYPE.int64,
      dims: [ones.length],
      raw_data: bytesOf64(ones.map(() => 0n)),
    },
    {
      name: 'ends',
      data_type: ONNX_DTYPE.int64,
      dims: [ones.length],
      raw_data: bytesOf64(ones.map(() => 1n)),
    },
  ] as TensorProtoObj[]
  const corner: NodeObj = { op_type: 'Slice', input: ['p', 'starts', 'ends'], output: ['y'] }
  if (kind === 'fp32')
    return encodeModel(
      {
        name: 'product',
        node: [{ op_type: 'MatMul', input: ['a', 'b'], output: ['p'] }, corner],
        initializer: corners,
        input: [valueInfo('a', 'float32', aShape), valueInfo('b', 'float32', [k, n])],
        output: [valueInfo('y', 'float32', ones)],
      },
      17,
    )
  // As quantize.ts emits it: int8 weight levels within ±63, one scale per output column.
  const w = Int8Array.from({ length: k * n }, (_, i) => ((i * 37) % 127) - 63)
  const init = (name: string, data_type: number, d: number[], raw: Float32Array | Int8Array) =>
    ({ name, data_type, dims: d, raw_data: bytesOf(raw) }) as TensorProtoObj
  const model = encodeModel(
    {
      name: 'product-int8',
      node: [
        {
          op_type: 'DynamicQuantizeMatMul',
          domain: MS_DOMAIN,
          input: ['a', 'w', 'scale'],
          output: ['p'],
        } as NodeObj,
        corner,
      ],
      initializer: [
        ...corners,
        init('w', ONNX_INT8, [k, n], w),
        init('scale', ONNX_DTYPE.float32, [n], new Float32Array(n).fill(0.01)),
      ],
      input: [valueInfo('a', 'float32', aShape)],
      output: [valueInfo('y', 'float32', ones)],
    },
    17,
  )
  return withOpsetImport(model, MS_DOMAIN, 1)
}

async function timeProduct(s: Shape, kind: 'fp32' | 'int8'): Promise<number> {
  const session = await ort.InferenceSession.create(productModel(s, kind), {
    intraOpNumThreads: THREADS,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // As the product's sessions run (no spin-waiting; see graph-step-runner.ts).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  })
  const [m, k, n] = dims(s)
  const feeds: Record<string, ort.Tensor> = {
    a: new ort.Tensor('float32', floats(lead(s).reduce((p, d) => p * d, m * k)), [
      ...lead(s),
      m,
      k,
    ]),
  }
  if (kind === 'fp32') feeds.b = new ort.Tensor('float32', floats(k * n), [k, n])
  const times: number[] = []
  for (let i = 0; i < REPEAT + 2; i++) {
    const t = performance.now()
    await session.run(feeds)
    if (i >= 2) times.push(performance.now() - t)
  }
  await session.release()
  return percentile(
    times.sort((x, y) => x - y),
    50,
  )
}

const ours = new Map<string, { fp32: number; int8?: number }>()
for (const s of unique) {
  const isLinear = linear.some((l) => l.join('x') === s.join('x'))
  ours.set(s.join('x'), {
    fp32: await timeProduct(s, 'fp32'),
    int8: isLinear ? await timeProduct(s, 'int8') : undefined,
  })
}
const torch = JSON.parse(
  execFileSync(
    join(ROOT, '.venv/bin/python'),
    [
      join(ROOT, 'test/bench/gemm-ceiling.py'),
      '--model',
      a.model,
      '--threads',
      String(THREADS),
      '--batch',
      String(B),
      '--length',
      String(L),
      '--repeat',
      String(REPEAT),
    ],
    {
      input: JSON.stringify(unique),
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      env: { ...process.env, TRANSFORMERS_VERBOSITY: 'error' },
    },
  ),
) as { products: number[]; forward: number; step: number }
const torchMs = new Map(unique.map((s, i) => [s.join('x'), torch.products[i]]))

const rate = (s: Shape, ms: number) => (flops(s) / ms / 1e6).toFixed(0).padStart(5)
console.log(
  `${THREADS} threads, batch ${B} × ${L} tokens; medians of ${REPEAT} runs; G(FL)OPS in brackets`,
)
console.log('product A·B             ours fp32        ours int8        PyTorch fp32')
for (const s of unique) {
  const o = ours.get(s.join('x'))!
  const t = torchMs.get(s.join('x'))!
  const cell = (ms: number | undefined) =>
    ms === undefined ? '—'.padEnd(17) : `${ms.toFixed(2).padStart(7)} ms [${rate(s, ms)}]`
  console.log(`${s.join('×').padEnd(22)}  ${cell(o.fp32)}  ${cell(o.int8)}  ${cell(t)}`)
}
const sum = (shapes: Shape[], ms: (s: Shape) => number) =>
  LAYERS * shapes.reduce((acc, s) => acc + ms(s), 0)
const oursOf = (s: Shape) => ours.get(s.join('x'))!
const torchOf = (s: Shape) => torchMs.get(s.join('x'))!
const fwdInt8 = sum(linear, (s) => oursOf(s).int8!) + sum(attention, (s) => oursOf(s).fp32)
const fwdFp32 = sum([...linear, ...attention], (s) => oursOf(s).fp32)
const stepFp32 = sum(stepProducts, (s) => oursOf(s).fp32)
const gflop = (shapes: Shape[]) =>
  ((LAYERS * shapes.reduce((p, s) => p + flops(s), 0)) / 1e9).toFixed(1)
console.log(
  `\nprediction, ${B} texts: products ${gflop([...linear, ...attention])} GFLOP — ours int8 ${fwdInt8.toFixed(0)} ms, ` +
    `ours fp32 ${fwdFp32.toFixed(0)} ms, PyTorch's products ${sum([...linear, ...attention], torchOf).toFixed(0)} ms; ` +
    `PyTorch's whole forward pass ${torch.forward.toFixed(0)} ms`,
)
console.log(
  `  ceiling ours int8 / PyTorch fp32: ${(torch.forward / fwdInt8).toFixed(2)}× ` +
    `(at most ${((B * 1000) / fwdInt8).toFixed(1)} texts/s vs PyTorch's ${((B * 1000) / torch.forward).toFixed(1)})`,
)
console.log(
  `training step: products ${gflop(stepProducts)} GFLOP — ours fp32 ${stepFp32.toFixed(0)} ms, ` +
    `PyTorch's products ${sum(stepProducts, torchOf).toFixed(0)} ms; PyTorch's whole padded step ${torch.step.toFixed(0)} ms`,
)
console.log(
  `  ceiling ours / PyTorch padded step: ${(torch.step / stepFp32).toFixed(2)}× ` +
    `(at most ${((B * 1000) / stepFp32).toFixed(1)} samples/s vs PyTorch's ${((B * 1000) / torch.step).toFixed(1)})`,
)
