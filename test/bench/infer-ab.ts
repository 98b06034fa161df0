// Side-by-side of prediction-graph variants (issue #13 point 2): the cached fine-tuned MiniLM of
// infer-bert.ts, several int8/fp32 graph or session variants run interleaved on the SAME texts in
// ONE process (the machine is shared: rounds alternate so load hits every variant alike), or one
// variant profiled per op type.
//
//   npx tsx test/bench/infer-ab.ts [--bundle DIR] [--n 160] [--threads 2] [--rounds 3]
//                                  [--variants int8,int8-nomerge,file:OLD.onnx] [--profile int8] [--f1]
//
// --n texts of the medical-abstracts test split (then dev), encoded before timing (the model
// only); --f1 predicts the whole test split instead and prints each variant's macro-F1 and its
// gap to the first variant. Prints per variant the best and median texts/s over the rounds and
// the CPU time per text (the steadier figure on a shared machine), and how far its probabilities
// are from the first variant's. --profile VARIANT: onnxruntime's profile of one pass, per op type
// (BY_NODE=1: per node).
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import * as ort from 'onnxruntime-node'
import { BUNDLE_MODEL, BUNDLE_TOKENIZER_DIR } from '../../main/shared'
import { bertCodec } from '../../main/ml/models/bert-adapter'
import { loadTokenizer } from '../../main/ml/tokenize/load-tokenizer'
import { predictProbabilities } from '../../main/ml/infer/predict'
import { PREDICT_BATCH } from '../../main/ml/infer/classifier-bundle'
import { quantizeModelInt8 } from '../../main/ml/infer/quantize'
import { fuseInferenceGraph } from '../../main/ml/infer/fuse-graph'
import { medicalAbstracts } from './medical-abstracts'
import { argmaxRows, macroF1 } from './infer-ours'
import { pairedGap } from './infer-gap'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const { values: a } = parseArgs({
  options: {
    bundle: {
      type: 'string',
      default: join(ROOT, '.cache/bench/infer/minilm-mean-l128-t2216-e2-lr5e-5'),
    },
    n: { type: 'string', default: '160' },
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    variants: { type: 'string', default: 'int8' },
    profile: { type: 'string' },
    f1: { type: 'boolean', default: false },
  },
})

interface Variant {
  model: () => Uint8Array
  options?: ort.InferenceSession.SessionOptions
  /** Sessions of the model predicting side by side (predict.ts's pool); default 1. */
  sessions?: number
}

const fp32Bytes = () => new Uint8Array(readFileSync(join(a.bundle, BUNDLE_MODEL)))
const int8 =
  (o: Parameters<typeof quantizeModelInt8>[1] = {}) =>
  () =>
    quantizeModelInt8(fp32Bytes(), o).bytes
const noSpin = {
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
}

/** The variants by name: a model (bytes) and session options over the predictor's defaults. */
const VARIANTS: Record<string, Variant> = {
  fp32: { model: fp32Bytes },
  int8: { model: int8() },
  'int8-spin': { model: int8(), options: { extra: {} } },
  'int8-fused': { model: () => fuseInferenceGraph(int8()()).bytes },
  'int8-1thread': { model: int8(), options: { intraOpNumThreads: 1 } },
  'int8-fastgelu': {
    model: int8(),
    options: { extra: { ...noSpin.extra, optimization: { enable_gelu_approximation: '1' } } },
  },
  'int8-nomerge': { model: int8({ mergeShared: false }) },
  'int8-tensor': { model: int8({ activations: 'tensor' }) },
  'int8-basic': { model: int8(), options: { graphOptimizationLevel: 'basic' } },
  'int8-extended': { model: int8(), options: { graphOptimizationLevel: 'extended' } },
  'int8-nopattern': { model: int8(), options: { enableMemPattern: false } },
  // A pool of two sessions (loadClassifierBundle's `sessions`), 1 or --threads threads each.
  'int8-pool2x1': { model: int8(), sessions: 2, options: { intraOpNumThreads: 1 } },
  'int8-pool2': { model: int8(), sessions: 2 },
  'fp32-pool2': { model: fp32Bytes, sessions: 2 },
}

const splits = medicalAbstracts()
const k = splits.labels.length
const n = Number(a.n)
const pool = [...splits.test.texts, ...splits.dev.texts]
const texts = a.f1 ? splits.test.texts : pool.slice(0, n)
const tokenizer = await loadTokenizer(join(a.bundle, BUNDLE_TOKENIZER_DIR))
const meta = JSON.parse(readFileSync(join(a.bundle, 'model.json'), 'utf8')) as {
  encoder: { numClasses: number; maxLength: number; lengthMultiple: number }
}
const codec = bertCodec(tokenizer, { ...meta.encoder, describe: meta.encoder })
const items = texts.map((t) => codec.encode(t))

async function session(name: string, profileDir?: string): Promise<ort.InferenceSession[]> {
  // file:PATH — a saved model (e.g. an int8 model from before a change), default options.
  const v: Variant | undefined = name.startsWith('file:')
    ? { model: () => new Uint8Array(readFileSync(name.slice(5))) }
    : VARIANTS[name]
  if (!v) throw new Error(`unknown variant ${name}: ${Object.keys(VARIANTS).join(', ')}`)
  const bytes = v.model()
  const made: ort.InferenceSession[] = []
  for (let i = 0; i < (v.sessions ?? 1); i++)
    made.push(
      await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: Number(a.threads),
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionProviders: ['cpu'],
        ...noSpin,
        ...v.options,
        ...(profileDir ? { enableProfiling: true, profileFilePrefix: join(profileDir, 'p') } : {}),
      }),
    )
  return made
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1]
const predict = (s: ort.InferenceSession[]) =>
  predictProbabilities(s, codec, items, { batchSize: PREDICT_BATCH })

if (a.profile) {
  const dir = mkdtempSync(join(tmpdir(), 'cts-infer-profile-'))
  const [s] = await session(a.profile, dir)
  const started = performance.now()
  await predict([s])
  const seconds = (performance.now() - started) / 1000
  s.endProfiling()
  const file = readdirSync(dir).find((f) => f.endsWith('.json'))!
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    cat: string
    name: string
    dur: number
    args?: { op_name?: string }
  }[]
  const byOp = new Map<string, { us: number; count: number }>()
  let total = 0
  let runs = 0
  for (const e of events) {
    if (e.cat === 'Session' && e.name === 'model_run') runs += e.dur
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue
    // BY_NODE=1: one line per node (its name) rather than per op type.
    const op = process.env.BY_NODE
      ? `${e.args?.op_name} ${e.name.replace(/_kernel_time$/, '')}`
      : (e.args?.op_name ?? '?')
    const x = byOp.get(op) ?? { us: 0, count: 0 }
    x.us += e.dur
    x.count++
    byOp.set(op, x)
    total += e.dur
  }
  console.log(
    `${a.profile}: ${texts.length} texts in ${seconds.toFixed(2)} s ` +
      `(${(texts.length / seconds).toFixed(1)} texts/s, profiling on); model_run ${(runs / 1e6).toFixed(2)} s, ` +
      `kernels ${(total / 1e6).toFixed(2)} s`,
  )
  for (const [op, x] of [...byOp].sort((p, q) => q[1].us - p[1].us))
    console.log(
      `${op.padEnd(28)} ${((100 * x.us) / total).toFixed(1).padStart(5)} %  ${(x.us / 1e6).toFixed(3)} s  ${x.count} runs`,
    )
  await s.release()
} else {
  const names = a.variants.split(',')
  const sessions = await Promise.all(names.map((v) => session(v)))
  // Warm each session once (first-run allocations) before timing.
  for (const s of sessions)
    await predictProbabilities(s, codec, items.slice(0, 16 * s.length), { batchSize: 16 })
  const times = names.map(() => [] as number[])
  // CPU seconds too: with spinning off they track the work done, where wall time on a shared
  // machine tracks the neighbours as much.
  const cpu = names.map(() => [] as number[])
  const probs: Float32Array[] = []
  for (let r = 0; r < Number(a.rounds); r++) {
    // Alternate the order every round so neither side always runs first.
    const order = names.map((_, i) => i)
    if (r % 2 === 1) order.reverse()
    for (const i of order) {
      const started = performance.now()
      const used = process.cpuUsage()
      probs[i] = await predict(sessions[i])
      times[i].push((performance.now() - started) / 1000)
      const u = process.cpuUsage(used)
      cpu[i].push((u.user + u.system) / 1e6)
    }
  }
  const predicted = probs.map((p) => argmaxRows(p, texts.length, k))
  names.forEach((name, i) => {
    const best = Math.min(...times[i])
    let maxDiff = 0
    let sumDiff = 0
    for (let j = 0; j < probs[i].length; j++) {
      const d = Math.abs(probs[i][j] - probs[0][j])
      maxDiff = Math.max(maxDiff, d)
      sumDiff += d
    }
    const f1 = a.f1
      ? `, test macro-F1 ${macroF1(splits.test.labels, predicted[i], k).toFixed(4)}`
      : ''
    const gap =
      a.f1 && i > 0
        ? `, gap vs ${names[0]} ${(100 * pairedGap(splits.test.labels, predicted[0], predicted[i], k).gap).toFixed(2)} points`
        : ''
    console.log(
      `${name.padEnd(16)} ${(texts.length / best).toFixed(1)} texts/s (best of ${times[i].length}; ` +
        `median ${(texts.length / median(times[i])).toFixed(1)}), ` +
        `CPU ${((1000 * Math.min(...cpu[i])) / texts.length).toFixed(2)} ms/text (median ${((1000 * median(cpu[i])) / texts.length).toFixed(2)}), ` +
        `|Δprob| vs ${names[0]} max ${maxDiff.toExponential(2)} mean ${(sumDiff / probs[i].length).toFixed(5)}${f1}${gap}`,
    )
  })
  await Promise.all(sessions.flat().map((s) => s.release()))
}
