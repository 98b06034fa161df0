// Benchmark (not a test; run with `npx tsx test/unit/ml/graph/loop-speed-bench.ts`): per-step time
// of the train step on a small BERT-like model, one step per call versus K steps in one ONNX Loop.
import * as ort from 'onnxruntime-node'
import {
  Graph,
  type Tensor,
  add,
  crossEntropy,
  gather,
  gelu,
  layerNorm,
  matmul,
  reduceMean,
  softmax,
  transpose,
  mul,
  emitOnnx,
} from '../../../../main/ml/graph'
import { buildTrainStep, type TrainStepIO } from '../../../../main/ml/train/train-step'
import { rng } from './grad-check'

const [VOCAB, H, FF, LAYERS, B, S, C] = [2000, 128, 512, 2, 16, 32, 2]
const K = Number(process.env.K ?? 8)
/** Rounds; each runs K single steps and one K-step call. */
const CALLS = Number(process.env.CALLS ?? 4)

function model() {
  const r = rng(1)
  const g = new Graph()
  const init = (n: number, scale = 0.05) =>
    Float32Array.from({ length: n }, () => (r() - 0.5) * 2 * scale)
  const ones = (n: number) => new Float32Array(n).fill(1)
  const trainable: Tensor[] = []
  const decay: boolean[] = []
  const p = (name: string, shape: number[], v: Float32Array, d: boolean) => {
    const t = g.param(name, shape, v)
    trainable.push(t)
    decay.push(d)
    return t
  }
  const ids = g.input('ids', 'int64', ['batch', 'seq'])
  const labels = g.input('labels', 'int64', ['batch'])
  let h = gather(p('emb', [VOCAB, H], init(VOCAB * H), true), ids, 0)
  for (let l = 0; l < LAYERS; l++) {
    // Single-head self-attention + feed-forward, post-LayerNorm as BERT.
    const q = matmul(h, p(`l${l}.q`, [H, H], init(H * H), true))
    const k = matmul(h, p(`l${l}.k`, [H, H], init(H * H), true))
    const v = matmul(h, p(`l${l}.v`, [H, H], init(H * H), true))
    const att = softmax(mul(matmul(q, transpose(k, [0, 2, 1])), 1 / Math.sqrt(H)), -1)
    const a = matmul(matmul(att, v), p(`l${l}.o`, [H, H], init(H * H), true))
    h = layerNorm(
      add(h, a),
      p(`l${l}.ln1.g`, [H], ones(H), false),
      p(`l${l}.ln1.b`, [H], new Float32Array(H), false),
    )
    const f = matmul(
      gelu(
        add(
          matmul(h, p(`l${l}.f1`, [H, FF], init(H * FF), true)),
          p(`l${l}.f1.b`, [FF], new Float32Array(FF), false),
        ),
      ),
      p(`l${l}.f2`, [FF, H], init(FF * H), true),
    )
    h = layerNorm(
      add(h, f),
      p(`l${l}.ln2.g`, [H], ones(H), false),
      p(`l${l}.ln2.b`, [H], new Float32Array(H), false),
    )
  }
  const logits = matmul(reduceMean(h, [1]), p('cls', [H, C], init(H * C), true))
  return { ids, labels, logits, loss: crossEntropy(logits, labels), trainable, decay }
}

function feeds(io: TrainStepIO, k: number, state: Map<string, ort.Tensor>) {
  const r = rng(5)
  const lead = k > 1 ? [k] : []
  const n = k * B * S
  const f: Record<string, ort.Tensor> = {
    ids: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: n }, () => BigInt(Math.floor(r() * VOCAB))),
      [...lead, B, S],
    ),
    labels: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: k * B }, () => BigInt(Math.floor(r() * C))),
      [...lead, B],
    ),
    step: new ort.Tensor('float32', Float32Array.of(1), []),
    lr: new ort.Tensor('float32', new Float32Array(k).fill(1e-3), k > 1 ? [k] : []),
    weight_decay: new ort.Tensor('float32', Float32Array.of(0.01), []),
  }
  for (const p of io.params) {
    for (const name of [p.input, p.m, p.v]) f[name] = state.get(name)!
  }
  return f
}

/** A train-step session of the model with K steps per call, and a function running one call. */
async function trainer(k: number, threads: number) {
  const m = model()
  const { model: bytes, io } = buildTrainStep({
    inputs: [m.ids, m.labels],
    loss: m.loss,
    trainable: m.trainable,
    decayMask: m.decay,
    stepsPerCall: k,
  })
  const s = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  })
  const state = new Map<string, ort.Tensor>()
  io.params.forEach((p, i) => {
    const init = (m.trainable[i].source as { init: Float32Array }).init
    state.set(p.input, new ort.Tensor('float32', init.slice(), p.shape))
    state.set(p.m, new ort.Tensor('float32', new Float32Array(init.length), p.shape))
    state.set(p.v, new ort.Tensor('float32', new Float32Array(init.length), p.shape))
  })
  const run = async () => {
    const r = await s.run(feeds(io, k, state))
    // Outputs go straight back in as inputs: no copies on the host side.
    for (const p of io.params) {
      state.set(p.input, r[p.output])
      state.set(p.m, r[p.mOut])
      state.set(p.v, r[p.vOut])
    }
  }
  await run() // warm-up
  return { run, release: () => s.release() }
}

/** Best-of-rounds ms per step, the two variants interleaved so machine load hits both alike. */
async function compare(threads: number) {
  const [one, many] = [await trainer(1, threads), await trainer(K, threads)]
  let [bestOne, bestMany] = [Infinity, Infinity]
  for (let round = 0; round < CALLS; round++) {
    let t0 = performance.now()
    for (let i = 0; i < K; i++) await one.run()
    bestOne = Math.min(bestOne, (performance.now() - t0) / K)
    t0 = performance.now()
    await many.run()
    bestMany = Math.min(bestMany, (performance.now() - t0) / K)
  }
  await Promise.all([one.release(), many.release()])
  return { bestOne, bestMany }
}

/** Pure host-boundary cost: a graph that only passes n floats in and a copy out (p, m, v of MiniLM). */
async function boundaryMs(n: number) {
  const g = new Graph()
  const x = g.input('x', 'float32', [n])
  const s = await ort.InferenceSession.create(
    emitOnnx({ inputs: [x], outputs: [{ name: 'y', tensor: mul(x, 1) }] }),
    { intraOpNumThreads: 1 },
  )
  const feed = { x: new ort.Tensor('float32', new Float32Array(n), [n]) }
  await s.run(feed)
  const t0 = performance.now()
  for (let i = 0; i < 3; i++) await s.run(feed)
  await s.release()
  return (performance.now() - t0) / 3
}

const n = 3 * 22_700_000
console.log(
  `host boundary, ${((n * 4) / 1e6).toFixed(0)} MB in + out: ${(await boundaryMs(n)).toFixed(0)} ms per call`,
)
for (const threads of [1, 2]) {
  const { bestOne, bestMany } = await compare(threads)
  console.log(
    `threads=${threads}  K=1: ${bestOne.toFixed(1)} ms/step  K=${K}: ${bestMany.toFixed(1)} ms/step  ` +
      `ratio K=1/K=${K}: ${(bestOne / bestMany).toFixed(2)}`,
  )
}
