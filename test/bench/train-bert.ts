// Benchmark: fine-tuning all-MiniLM-L6-v2 with our ONNX training graphs against the PyTorch +
// transformers peer (test/bench/train-ref.py) on the same medical-abstracts texts and recipe.
//
//   npx tsx test/bench/train-bert.ts [--train 160] [--dev 0] [--epochs 1] [--max-length 128]
//                                    [--head mean|cls] [--batch-size 16] [--skip-torch]
//
// Prints one JSON line per engine and a last line with the speed ratio (ours / torch samples/s).
// Keep runs short on shared 2-core machines; a full 5-epoch run on the whole split takes hours.
// Fairness: both engines use 2 threads, the same texts, recipe and max length; each keeps its own
// padding policy (ours: length buckets rounded to 16; torch: random batches padded to the longest)
// and its own initial classifier. Timed: the training loop of each epoch, without start-up and
// without dev evaluation. Quote the ratio of one run, never absolute times (noisy shared cores).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { parse } from 'csv-parse/sync'
import { createBertAdapter } from '../../main/ml/models/bert-adapter'
import type { BertHead } from '../../main/ml/models/weights'
import { BERT_DEFAULTS, DEFAULT_SEED } from '../../main/ml/train/defaults'
import { createGraphStepRunner } from '../../main/ml/train/graph-step-runner'
import { splitDataset } from '../../main/ml/train/split'
import { trainClassifier } from '../../main/ml/train/trainer'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const MODEL = join(ROOT, 'resources/models/all-MiniLM-L6-v2')
const DATA = join(ROOT, '../shared/datasets/medical-abstracts/medical_tc_test.csv')

const { values: a } = parseArgs({
  options: {
    train: { type: 'string', default: '160' },
    dev: { type: 'string', default: '0' },
    epochs: { type: 'string', default: '1' },
    'max-length': { type: 'string', default: String(BERT_DEFAULTS.maxLength) },
    'batch-size': { type: 'string', default: String(BERT_DEFAULTS.batchSize) },
    head: { type: 'string', default: 'mean' },
    'skip-torch': { type: 'boolean', default: false },
  },
})
const nTrain = Number(a.train)
const nDev = Number(a.dev)
const epochs = Number(a.epochs)
const maxLength = Number(a['max-length'])
const batchSize = Number(a['batch-size'])
const head = a.head as BertHead

// The same seeded, de-duplicated split the app makes; then the first n of train and dev.
const rows = parse(readFileSync(DATA), { columns: true }) as Record<string, string>[]
const texts = rows.map((r) => r.medical_abstract)
const labels = rows.map((r) => Number(r.condition_label) - 1)
const split = splitDataset(
  labels.map((label, i) => ({ label, key: texts[i].trim() })),
  { seed: DEFAULT_SEED },
)
const pick = (idx: number[]) => ({
  texts: idx.map((i) => texts[i]),
  labels: idx.map((i) => labels[i]),
})
const train = pick(split.train.slice(0, nTrain))
const dev = nDev > 0 ? pick(split.dev.slice(0, nDev)) : undefined

async function ours() {
  const adapter = await createBertAdapter(MODEL, { numClasses: 5, maxLength, head })
  const r = await trainClassifier({
    adapter,
    train,
    dev,
    epochs,
    batchSize,
    learningRate: BERT_DEFAULTS.learningRate,
    warmupRatio: BERT_DEFAULTS.warmupRatio,
    weightDecay: BERT_DEFAULTS.weightDecay,
    clipNorm: BERT_DEFAULTS.clipNorm,
    patience: epochs,
    seed: DEFAULT_SEED,
    classWeights: false,
    createRunner: (q) => createGraphStepRunner(q, 'cpu'),
  })
  return {
    engine: `ours (onnxruntime ${r.provider})`,
    epochs: r.epochs.map((e) => ({
      epoch: e.epoch,
      seconds: e.seconds,
      samplesPerSecond: train.texts.length / e.seconds,
      trainLoss: e.trainLoss,
      devMacroF1: e.dev?.macro.f1,
      devAccuracy: e.dev?.accuracy,
    })),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }
}

function torchPeer() {
  const work = mkdtempSync(join(tmpdir(), 'cts-train-bench-'))
  try {
    const data = join(work, 'data.json')
    writeFileSync(data, JSON.stringify({ train, dev, numClasses: 5 }))
    const out = execFileSync(
      join(ROOT, '.venv/bin/python'),
      [
        join(ROOT, 'test/bench/train-ref.py'),
        ...['--data', data, '--model', MODEL, '--head', head, '--epochs', String(epochs)],
        ...['--batch-size', String(batchSize), '--max-length', String(maxLength)],
      ],
      { encoding: 'utf8', maxBuffer: 16 << 20 },
    )
    return JSON.parse(out.trim().split('\n').pop() as string)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length
const setup = { train: train.texts.length, dev: dev?.texts.length ?? 0, maxLength, batchSize, head }
const o = await ours()
console.log(JSON.stringify({ ...setup, ...o }))
if (!a['skip-torch']) {
  const t = torchPeer()
  console.log(JSON.stringify({ ...setup, ...t }))
  const ratio =
    mean(o.epochs.map((e) => e.samplesPerSecond)) /
    mean(t.epochs.map((e: { samplesPerSecond: number }) => e.samplesPerSecond))
  console.log(`speed ratio ours/torch (samples/s): ${ratio.toFixed(2)}`)
}
