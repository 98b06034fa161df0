// Recipes: the seed recipe's loop (constant learning rate, every epoch trained, the last epoch's
// weights), the reference recipe unchanged, the auto recipe's learning-rate walk and random batches.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { baselineConfig, createBaselineAdapter } from '../../../../main/ml/models/baseline-adapter'
import type { BaselineEncoded } from '../../../../main/ml/models/baseline-adapter'
import { labelMajorityShare, randomBatches, trainBatches } from '../../../../main/ml/train/batching'
import { createGraphStepRunner } from '../../../../main/ml/train/graph-step-runner'
import { nextLearningRate, SEED_RECIPE } from '../../../../main/ml/train/recipes'
import { Rng } from '../../../../main/ml/train/rng'
import { trainClassifier, type TrainerOptions } from '../../../../main/ml/train/trainer'
import { prepareSplits, recipeOf, resolveHyper } from '../../../../main/services/training-service'

const fixture = fileURLToPath(
  new URL('../../../fixtures/train/bilingual-health.csv', import.meta.url),
)
const rows = parse(readFileSync(fixture), { columns: true }) as { text: string; label: string }[]
const names = ['健康', '疾病']
const data = { texts: rows.map((r) => r.text), labels: rows.map((r) => names.indexOf(r.label)) }
// Dev labels flipped: dev macro-F1 falls as training fits train, so early stopping would fire.
const flipped = { texts: data.texts, labels: data.labels.map((l) => 1 - l) }

const config = baselineConfig({
  numClasses: 2,
  seed: 7,
  maxFeatures: 64,
  dropout: 0.1,
  buckets: 4096,
  dim: 16,
})

function options(over: Partial<TrainerOptions<BaselineEncoded>>): TrainerOptions<BaselineEncoded> {
  return {
    adapter: createBaselineAdapter(config, 16),
    train: data,
    dev: flipped,
    epochs: 5,
    batchSize: 8,
    learningRate: 0.05,
    warmupRatio: 0.1,
    weightDecay: 0,
    clipNorm: 5,
    patience: 1,
    seed: 7,
    classWeights: false,
    createRunner: (req) => createGraphStepRunner(req, 'cpu'),
    ...over,
  }
}

describe('seed recipe', () => {
  it('resolves to the seed script: constant 2e-5, batch 16, 5 epochs, 128 tokens, last epoch', () => {
    expect(resolveHyper({ model: 'default', recipe: 'seed' })).toMatchObject({
      learningRate: 2e-5,
      batchSize: 16,
      epochs: 5,
      maxLength: 128,
      warmupRatio: 0,
      schedule: 'constant',
      keep: 'last',
      earlyStopping: false,
      batching: 'random',
      recipe: 'seed',
    })
    expect(() => resolveHyper({ model: 'default', recipe: 'seed', learningRate: 1e-4 })).toThrow(
      'The seed recipe has fixed settings (learning rate 2e-5, batch 16, 5 epochs, 128 tokens); leave out learningRate or choose the manual recipe.',
    )
    expect(() => resolveHyper({ model: 'baseline', recipe: 'seed' })).toThrow(/pretrained model/)
    expect(SEED_RECIPE.learningRate).toBe(2e-5)
  })

  it('trains with a constant learning rate, never stops early and keeps the last epoch', async () => {
    const lrs: number[] = []
    const r = await trainClassifier(
      options({
        schedule: 'constant',
        keep: 'last',
        earlyStopping: false,
        batching: 'random',
        onProgress: (p) => {
          if (p.phase === 'training') lrs.push(p.learningRate!)
        },
      }),
    )
    expect(lrs.length).toBe(5 * Math.ceil(data.texts.length / 8))
    expect(new Set(lrs)).toEqual(new Set([0.05]))
    expect(r.epochs.length).toBe(5)
    expect(r.stoppedEarly).toBe(false)
    expect(r.bestEpoch).toBe(5)
    expect(r.epochs.every((e) => e.dev !== undefined)).toBe(true)
  })

  it('the reference loop on the same data warms up, decays and stops early at its best epoch', async () => {
    const lrs: number[] = []
    const r = await trainClassifier(
      options({
        onProgress: (p) => {
          if (p.phase === 'training') lrs.push(p.learningRate!)
        },
      }),
    )
    expect(lrs[0]).toBe(0)
    expect(r.stoppedEarly).toBe(true)
    expect(r.epochs.length).toBeLessThan(5)
    const best = Math.max(...r.epochs.map((e) => e.dev!.macro.f1))
    expect(r.epochs[r.bestEpoch - 1].dev!.macro.f1).toBe(best)
  })
})

describe('seed and auto splits', () => {
  it('with a dev file but no test file, hold out only test: every other text trains', () => {
    const withDev = {
      labels: names,
      train: data,
      dev: { texts: ['dev one', 'dev two'], labels: [0, 1] },
    }
    const reference = prepareSplits(withDev, 1)
    const seed = prepareSplits(withDev, 1, undefined, { allTrainWithDevFile: true })
    expect(seed.dev).toBe(withDev.dev)
    expect([reference.train.texts.length, reference.test.texts.length]).toEqual([26, 3])
    expect([seed.train.texts.length, seed.test.texts.length]).toEqual([29, 3])
  })
})

describe('recipe choice', () => {
  it('explicit settings make a manual run, none a reference run, unless a recipe is named', () => {
    expect(recipeOf({ model: 'default' })).toBe('reference')
    expect(recipeOf({ model: 'default', learningRate: 1e-4 })).toBe('manual')
    expect(recipeOf({ model: 'baseline', epochs: 3 })).toBe('manual')
    expect(recipeOf({ model: 'default', learningRate: 1e-4, recipe: 'auto' })).toBe('auto')
    expect(recipeOf({ model: 'default', learningRate: 1e-4, recipe: 'reference' })).toBe('manual')
    expect(resolveHyper({ model: 'default' })).toMatchObject({
      schedule: 'linear',
      keep: 'best',
      earlyStopping: true,
      batching: 'bucketed',
      learningRate: 2e-5,
      recipe: 'reference',
    })
  })

  it('walks the learning-rate grid from 1e-4 towards the better neighbour', () => {
    expect(nextLearningRate(new Map())).toBe(1e-4)
    expect(nextLearningRate(new Map([[1e-4, 0.8]]))).toBe(5e-5)
    expect(
      nextLearningRate(
        new Map([
          [1e-4, 0.8],
          [5e-5, 0.7],
        ]),
      ),
    ).toBe(2e-4)
    expect(
      nextLearningRate(
        new Map([
          [1e-4, 0.8],
          [5e-5, 0.7],
          [2e-4, 0.6],
        ]),
      ),
    ).toBeUndefined()
    expect(
      nextLearningRate(
        new Map([
          [1e-4, 0.8],
          [5e-5, 0.9],
        ]),
      ),
    ).toBe(2e-5)
    expect(
      nextLearningRate(
        new Map([
          [1e-4, 0.8],
          [5e-5, 0.9],
          [2e-5, 0.85],
        ]),
      ),
    ).toBeUndefined()
  })
})

describe('random batches', () => {
  it('mix labels where length predicts the label; length buckets do not', () => {
    // Synthetic: label 0 texts are short, label 1 texts long, overlapping a little.
    const rng = new Rng(3)
    const labels = Array.from({ length: 800 }, (_, i) => i % 2)
    const lengths = labels.map((l) => 10 + l * 20 + Math.floor(rng.next() * 30))
    const o = { batchSize: 16, maxLength: 128, lengthMultiple: 8 }
    const bucketed = labelMajorityShare(trainBatches(lengths, { ...o, rng: new Rng(1) }), labels)
    const random = labelMajorityShare(randomBatches(lengths, { ...o, rng: new Rng(1) }), labels)
    // Measured with these seeds: 0.865 vs 0.5875 (0.5 would be perfectly mixed batches).
    expect(bucketed).toBe(0.865)
    expect(random).toBe(0.5875)
    const all = randomBatches(lengths, { ...o, rng: new Rng(1) }).flatMap((b) => b.indices)
    expect(all.sort((a, b) => a - b)).toEqual(labels.map((_, i) => i))
  })
})
