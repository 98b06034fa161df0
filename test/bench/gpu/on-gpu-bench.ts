// Issue #14 point 5, the measuring part of test/bench/gpu/on-gpu.sh: MiniLM fine-tuned on
// medical-abstracts on each asked device (same seed, data and recipe), then per device: training
// samples/s, test macro-F1, prediction texts/s, the Loop K chosen on CUDA, and where the train-step
// and inference graphs' nodes ran (provider-placement.ts). Ends with the cuda/cpu ratio lines.
//
//   npx tsx test/bench/gpu/on-gpu-bench.ts [--devices cuda,cpu] [--train N] [--test N] [--epochs 2]
//        [--cpu-epochs N] [--max-length 128] [--batch-size 16] [--predict 2000] [--model DIR] [--out FILE]
// N = 0 (default): the whole split. Prints one JSON line per device, then the summary lines.
import '../../../main/shared/ort-binding-redirect-install'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createBertAdapter } from '../../../main/ml/models/bert-adapter'
import { inferenceModelBytes } from '../../../main/ml/infer/classifier-bundle'
import { predictProbabilities } from '../../../main/ml/infer/predict'
import { argmaxRows, classificationReport } from '../../../main/ml/eval/metrics'
import {
  createSession,
  placementLine,
  readPlacement,
  type DeviceChoice,
  type ProviderPlacement,
} from '../../../main/ml/runtime'
import { BERT_DEFAULTS, DEFAULT_SEED } from '../../../main/ml/train/defaults'
import { createGraphStepRunner } from '../../../main/ml/train/graph-step-runner'
import { predictBatchSize } from '../../../main/ml/train/loop-k-choice'
import { trainClassifier, type LabelledTexts } from '../../../main/ml/train/trainer'
import { ortBindingLoadedFrom } from '../../../main/shared/ort-binding-redirect'
import { medicalAbstracts } from '../medical-abstracts'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const { values: a } = parseArgs({
  options: {
    devices: { type: 'string', default: 'cuda,cpu' },
    train: { type: 'string', default: '0' },
    test: { type: 'string', default: '0' },
    epochs: { type: 'string', default: '2' },
    'cpu-epochs': { type: 'string' },
    'max-length': { type: 'string', default: String(BERT_DEFAULTS.maxLength) },
    'batch-size': { type: 'string', default: String(BERT_DEFAULTS.batchSize) },
    predict: { type: 'string', default: '2000' },
    model: {
      type: 'string',
      default: process.env.CTS_MINILM_DIR ?? join(ROOT, 'resources/models/all-MiniLM-L6-v2'),
    },
    out: { type: 'string' },
  },
})
const whole = (v: string, flag: string) => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} must be a whole number, not '${v}'`)
  return n
}
const devices = a.devices.split(',').map((d) => d.trim()) as DeviceChoice[]
for (const d of devices)
  if (!['cuda', 'cpu', 'webgpu'].includes(d)) throw new Error(`--devices: unknown device '${d}'`)
const epochs = whole(a.epochs, 'epochs')
const cpuEpochs = a['cpu-epochs'] === undefined ? epochs : whole(a['cpu-epochs'], 'cpu-epochs')
const maxLength = whole(a['max-length'], 'max-length')
const batchSize = whole(a['batch-size'], 'batch-size')
const nPredict = whole(a.predict, 'predict')

const splits = medicalAbstracts()
const first = (s: LabelledTexts, n: number): LabelledTexts =>
  n > 0 ? { texts: s.texts.slice(0, n), labels: s.labels.slice(0, n) } : s
const train = first(splits.train, whole(a.train, 'train'))
const test = first(splits.test, whole(a.test, 'test'))
const numClasses = splits.labels.length
console.log(
  `setup: ${train.texts.length} train / ${test.texts.length} test texts, max length ${maxLength}, ` +
    `batch ${batchSize}, model ${a.model}; onnxruntime binding from ` +
    `${ortBindingLoadedFrom() ?? "onnxruntime-node's own folder (no GPU pack loaded yet)"}`,
)

interface DeviceRun {
  device: DeviceChoice
  provider: string
  fallbackMessage?: string
  epochs: number
  trainSamplesPerSecond: number
  epochSeconds: number[]
  loopK?: unknown
  testMacroF1: number
  testAccuracy: number
  predictBatch: number
  predictTextsPerSecond: number
  trainPlacement?: ProviderPlacement | null
  /** The K-step Loop graph's placement (CUDA, once K was chosen). */
  loopPlacement?: ProviderPlacement | null
  predictPlacement?: ProviderPlacement | null
}

function placementText(p: ProviderPlacement | null | undefined, provider: string): string {
  if (!p) return 'not profiled (CPU sessions are not)'
  const counts = Object.entries(p.nodesByProvider)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')
  return `${counts} of ${p.totalNodes} nodes; ${placementLine(p, provider) ?? `all on ${provider}`}`
}

async function runOn(device: DeviceChoice): Promise<DeviceRun> {
  const options = { numClasses, maxLength, head: 'mean' as const, initSeed: DEFAULT_SEED }
  const adapter = await createBertAdapter(a.model, options)
  let trainPlacement: ProviderPlacement | null | undefined
  let loopPlacement: ProviderPlacement | null | undefined
  let loopK: unknown
  let fallbackMessage: string | undefined
  const n = device === 'cpu' ? cpuEpochs : epochs
  const r = await trainClassifier({
    adapter,
    train,
    epochs: n,
    batchSize,
    learningRate: BERT_DEFAULTS.learningRate,
    warmupRatio: BERT_DEFAULTS.warmupRatio,
    weightDecay: BERT_DEFAULTS.weightDecay,
    clipNorm: BERT_DEFAULTS.clipNorm,
    patience: n,
    seed: DEFAULT_SEED,
    classWeights: false,
    device,
    createRunner: async (q) => {
      const runner = await createGraphStepRunner(q, device)
      fallbackMessage = runner.fallbackMessage
      // The runner reads each session's placement after its first run (profiling stops there):
      // the single-step session's after the first step, the Loop session's after its first call.
      const step = runner.step.bind(runner)
      runner.step = async (feeds, lr) => {
        const out = await step(feeds, lr)
        trainPlacement ??= runner.placement
        return out
      }
      const many = runner.stepMany?.bind(runner)
      if (many) {
        runner.stepMany = async (batches, lrs) => {
          const out = await many(batches, lrs)
          loopPlacement ??= runner.placement
          return out
        }
      }
      const release = runner.release.bind(runner)
      runner.release = async () => {
        loopK = runner.loopK
        return release()
      }
      return runner
    },
    onProgress: (p) => {
      if (p.phase === 'training' && p.step % 50 === 0)
        console.log(
          `  ${device}: step ${p.step}/${p.totalSteps}, ${p.samplesPerSecond?.toFixed(1)} samples/s`,
        )
    },
  })
  const trained = await createBertAdapter(a.model, { ...options, weights: r.weights })
  const h = await createSession(inferenceModelBytes(trained), { device })
  const predictBatch = predictBatchSize(h.provider, 64, maxLength)
  const items = test.texts.map((t) => trained.encode(t))
  const probs = await predictProbabilities(h.session, trained, items, { batchSize: predictBatch })
  const predictPlacement = readPlacement(h.session)
  const report = classificationReport(test.labels, argmaxRows(probs, numClasses), [
    ...Array(numClasses).keys(),
  ])
  // Prediction speed: texts cycled from the test split, after the first (profiled) run above.
  const pool = Array.from({ length: nPredict }, (_, i) => items[i % items.length])
  const started = performance.now()
  await predictProbabilities(h.session, trained, pool, { batchSize: predictBatch })
  const predictSeconds = (performance.now() - started) / 1000
  await h.session.release()
  return {
    device,
    provider: r.provider,
    fallbackMessage,
    epochs: n,
    trainSamplesPerSecond: r.samplesPerSecond,
    epochSeconds: r.epochs.map((e) => Math.round(e.seconds * 10) / 10),
    loopK,
    testMacroF1: report.macro.f1,
    testAccuracy: report.accuracy,
    predictBatch,
    predictTextsPerSecond: pool.length / predictSeconds,
    trainPlacement,
    loopPlacement,
    predictPlacement,
  }
}

const runs: DeviceRun[] = []
for (const device of devices) {
  const run = await runOn(device)
  runs.push(run)
  const { trainPlacement, loopPlacement, predictPlacement, ...line } = run
  console.log(JSON.stringify({ ...line, trainPlacementCpuNodes: trainPlacement?.cpuNodes.length }))
  console.log(
    `${device}: ran on ${run.provider}${run.fallbackMessage ? ` (${run.fallbackMessage})` : ''}; ` +
      `train ${run.trainSamplesPerSecond.toFixed(1)} samples/s over ${run.epochs} epoch(s); ` +
      `test macro-F1 ${run.testMacroF1.toFixed(4)}; predict ${run.predictTextsPerSecond.toFixed(1)} texts/s ` +
      `(batch ${run.predictBatch})`,
  )
  console.log(`${device}: train-step placement: ${placementText(trainPlacement, run.provider)}`)
  if (loopPlacement)
    console.log(
      `${device}: train-step Loop placement: ${placementText(loopPlacement, run.provider)}`,
    )
  console.log(`${device}: inference placement: ${placementText(predictPlacement, run.provider)}`)
}
const cuda = runs.find((r) => r.device === 'cuda')
const cpu = runs.find((r) => r.device === 'cpu')
if (cuda && cpu) {
  const ratio = cuda.trainSamplesPerSecond / cpu.trainSamplesPerSecond
  // The last epoch alone: without start-up (CUDA's first runs, choosing K, building the Loop session).
  const last = (r: DeviceRun) => train.texts.length / r.epochSeconds[r.epochSeconds.length - 1]
  console.log(
    `training speed cuda/cpu, last epoch only: ${(last(cuda) / last(cpu)).toFixed(2)}× ` +
      `(cuda ${last(cuda).toFixed(1)}, cpu ${last(cpu).toFixed(1)} samples/s)`,
  )
  const gap = Math.abs(cuda.testMacroF1 - cpu.testMacroF1)
  console.log(
    `training speed cuda/cpu: ${ratio.toFixed(2)}× (goal ≥ 10×: ${ratio >= 10 ? 'PASS' : 'FAIL'}); ` +
      `cuda ${cuda.trainSamplesPerSecond.toFixed(1)}, cpu ${cpu.trainSamplesPerSecond.toFixed(1)} samples/s` +
      (cuda.provider !== 'cuda' ? ` — NOTE: the 'cuda' run ran on ${cuda.provider}` : ''),
  )
  console.log(
    `test macro-F1: cuda ${cuda.testMacroF1.toFixed(4)}, cpu ${cpu.testMacroF1.toFixed(4)}, ` +
      `|gap| ${gap.toFixed(4)} (within 1 point: ${gap <= 0.01 ? 'PASS' : 'FAIL'})` +
      (cuda.epochs !== cpu.epochs
        ? ` — NOTE: epochs differ (${cuda.epochs} vs ${cpu.epochs})`
        : ''),
  )
  console.log(
    `prediction on cuda: ${cuda.predictTextsPerSecond.toFixed(1)} texts/s (batch ${cuda.predictBatch})` +
      (cuda.provider !== 'cuda' ? ` — NOTE: ran on ${cuda.provider}` : ''),
  )
}
if (a.out)
  writeFileSync(
    a.out,
    JSON.stringify(
      { setup: { train: train.texts.length, test: test.texts.length, maxLength, batchSize }, runs },
      null,
      2,
    ),
  )
