// Benchmark (not a test): length-bucketed batches (the reference recipe) against plain random
// batches (the auto and seed recipes) when fine-tuning all-MiniLM-L6-v2 on medical-abstracts:
// the label-majority share of each epoch's batches and dev macro-F1 per epoch, same seed.
//
//   npx tsx test/bench/batching-effect.ts [--train 480] [--dev 240] [--epochs 3] [--lr 1e-4]
//                                         [--max-length 64] [--seed 42]
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createBertAdapter } from '../../main/ml/models/bert-adapter'
import { labelMajorityShare, randomBatches, trainBatches } from '../../main/ml/train/batching'
import { BERT_DEFAULTS, DEFAULT_SEED } from '../../main/ml/train/defaults'
import { createGraphStepRunner } from '../../main/ml/train/graph-step-runner'
import { Rng } from '../../main/ml/train/rng'
import { trainClassifier, type LabelledTexts } from '../../main/ml/train/trainer'
import { medicalAbstracts } from './medical-abstracts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const MODEL = join(ROOT, 'resources/models/all-MiniLM-L6-v2')
const { values: a } = parseArgs({
  options: {
    train: { type: 'string', default: '480' },
    dev: { type: 'string', default: '240' },
    epochs: { type: 'string', default: '3' },
    lr: { type: 'string', default: '1e-4' },
    'max-length': { type: 'string', default: '64' },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
  },
})

const splits = medicalAbstracts()
const first = (s: LabelledTexts, n: number) => ({
  texts: s.texts.slice(0, n),
  labels: s.labels.slice(0, n),
})
const train = first(splits.train, Number(a.train))
const dev = first(splits.dev, Number(a.dev))
const maxLength = Number(a['max-length'])
const seed = Number(a.seed)

for (const batching of ['bucketed', 'random'] as const) {
  const adapter = await createBertAdapter(MODEL, { numClasses: 5, maxLength, initSeed: seed })
  const lengths = train.texts.map((t) => adapter.encode(t).length)
  const make = batching === 'random' ? randomBatches : trainBatches
  const share = labelMajorityShare(
    make(lengths, { batchSize: 16, rng: new Rng(seed), maxLength, lengthMultiple: 16 }),
    train.labels,
  )
  const started = performance.now()
  const r = await trainClassifier({
    adapter,
    train,
    dev,
    epochs: Number(a.epochs),
    batchSize: 16,
    learningRate: Number(a.lr),
    warmupRatio: BERT_DEFAULTS.warmupRatio,
    weightDecay: BERT_DEFAULTS.weightDecay,
    clipNorm: BERT_DEFAULTS.clipNorm,
    patience: 100,
    seed,
    classWeights: false,
    batching,
    createRunner: (req) => createGraphStepRunner(req, 'cpu'),
  })
  console.log(
    JSON.stringify({
      batching,
      labelMajorityShare: Number(share.toFixed(4)),
      devMacroF1: r.epochs.map((e) => Number(e.dev!.macro.f1.toFixed(4))),
      trainLoss: r.epochs.map((e) => Number(e.trainLoss.toFixed(4))),
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    }),
  )
}
