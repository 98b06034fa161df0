// A small real fine-tune of the bundled MiniLM (issue #3 point 12): a few hundred medical abstracts,
// two balanced classes, one epoch through trainClassifier; the loss must fall and held-out
// accuracy must beat the majority class by a clear margin.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { createBertAdapter } from '../../../../main/ml/models/bert-adapter'
import { BERT_DEFAULTS } from '../../../../main/ml/train/defaults'
import { createGraphStepRunner } from '../../../../main/ml/train/graph-step-runner'
import { trainClassifier } from '../../../../main/ml/train/trainer'

const MINILM = join(process.cwd(), 'resources/models/all-MiniLM-L6-v2')
// CI clones next to ../shared; locally the same relative path holds from the repo root.
const CSV = join(process.cwd(), '../shared/datasets/medical-abstracts/medical_tc_test.csv')
// Neoplasms (1) vs cardiovascular diseases (4): distinct vocabularies, learnable in one epoch.
const CLASSES = ['1', '4']
const TRAIN_PER_CLASS = 160
const HELD_OUT_PER_CLASS = 50
const MAX_LENGTH = 64

interface Row {
  condition_label: string
  medical_abstract: string
}

/** The first rows of each class in file order (deterministic), split into train and held-out. */
function loadSplit() {
  const rows = parse(readFileSync(CSV), { columns: true }) as Row[]
  const train = { texts: [] as string[], labels: [] as number[] }
  const heldOut = { texts: [] as string[], labels: [] as number[] }
  CLASSES.forEach((c, label) => {
    const texts = rows.filter((r) => r.condition_label === c).map((r) => r.medical_abstract)
    for (const t of texts.slice(0, TRAIN_PER_CLASS)) {
      train.texts.push(t)
      train.labels.push(label)
    }
    for (const t of texts.slice(TRAIN_PER_CLASS, TRAIN_PER_CLASS + HELD_OUT_PER_CLASS)) {
      heldOut.texts.push(t)
      heldOut.labels.push(label)
    }
  })
  return { train, heldOut }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

describe('MiniLM fine-tune on medical abstracts', () => {
  it('one epoch: the loss falls and held-out accuracy beats the majority class', async () => {
    const { train, heldOut } = loadSplit()
    expect(train.texts).toHaveLength(2 * TRAIN_PER_CLASS)
    expect(heldOut.texts).toHaveLength(2 * HELD_OUT_PER_CLASS)
    const adapter = await createBertAdapter(MINILM, {
      numClasses: 2,
      maxLength: MAX_LENGTH,
      initSeed: 7,
    })
    const losses: number[] = []
    const r = await trainClassifier({
      adapter,
      train,
      dev: heldOut,
      epochs: 1,
      batchSize: BERT_DEFAULTS.batchSize,
      // The recipe's 2e-5 is tuned for 5 epochs over thousands of texts; here one epoch is 20
      // steps. 1e-4 (the top of the usual 5e-5..1e-4 range for small BERTs) learns this two-class
      // task within them (measured: mean loss of the first 4 steps 0.69, of the last 4 0.30,
      // held-out accuracy 0.95); warm-up and clipping keep it stable.
      learningRate: 1e-4,
      warmupRatio: BERT_DEFAULTS.warmupRatio,
      weightDecay: BERT_DEFAULTS.weightDecay,
      clipNorm: BERT_DEFAULTS.clipNorm,
      patience: BERT_DEFAULTS.patience,
      seed: 11,
      classWeights: false,
      createRunner: (req) => createGraphStepRunner(req, 'cpu'),
      onProgress: (p) => {
        if (p.phase === 'training' && p.loss !== undefined) losses.push(p.loss)
      },
    })
    expect(losses).toHaveLength(Math.ceil(train.texts.length / BERT_DEFAULTS.batchSize))
    const first = mean(losses.slice(0, 4))
    const last = mean(losses.slice(-4))
    // Starts near ln 2 (fresh head, balanced classes) and ends well below it.
    expect(first).toBeGreaterThan(0.5)
    expect(last).toBeLessThan(first * 0.6)
    const dev = r.epochs[0].dev!
    expect(dev.perClass.map((c) => c.support)).toEqual([HELD_OUT_PER_CLASS, HELD_OUT_PER_CLASS])
    const majorityRate = 0.5
    expect(dev.accuracy).toBeGreaterThanOrEqual(majorityRate + 0.3)
  }, 300_000)
})
