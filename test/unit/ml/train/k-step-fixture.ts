// The bilingual health fixture as training data, the small baseline config and the recipe the
// runner tests train it with (K steps per call on the CPU and on CUDA, row-sparse tables).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import {
  baselineConfig,
  createBaselineAdapter,
  type BaselineEncoded,
} from '../../../../main/ml/models/baseline-adapter'
import type { TrainerOptions } from '../../../../main/ml/train/trainer'

const fixture = fileURLToPath(
  new URL('../../../fixtures/train/bilingual-health.csv', import.meta.url),
)
const rows = parse(readFileSync(fixture), { columns: true }) as { text: string; label: string }[]
const labelNames = ['健康', '疾病']

export const data = {
  texts: rows.map((r) => r.text),
  labels: rows.map((r) => labelNames.indexOf(r.label)),
}

export const config = baselineConfig({
  numClasses: 2,
  seed: 7,
  maxFeatures: 64,
  dropout: 0.1,
  buckets: 4096,
  dim: 16,
})

/**
 * The recipe those tests train with (3 texts a batch, AdamW with decay and clipping, class
 * weights); each test adds its runner and the epochs it needs. Training losses go to `losses`,
 * each step's learning rate to `lrs`.
 */
export function fixtureTraining(
  createRunner: TrainerOptions<BaselineEncoded>['createRunner'],
  losses: number[],
  lrs: number[] = [],
): TrainerOptions<BaselineEncoded> {
  return {
    adapter: createBaselineAdapter(config, 8),
    train: data,
    epochs: 3,
    batchSize: 3,
    learningRate: 0.05,
    warmupRatio: 0.1,
    weightDecay: 0.01,
    clipNorm: 5,
    patience: 10,
    seed: 7,
    classWeights: true,
    createRunner,
    onProgress: (p) => {
      if (p.phase === 'training') {
        losses.push(p.loss!)
        lrs.push(p.learningRate!)
      }
    },
  }
}
