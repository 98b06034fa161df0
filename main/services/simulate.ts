// Active-learning simulation (`cts simulate`, issue #11 point 6): replays the labelling queue's
// strategies on a labelled training file — seed sample, fit, score the test file, let the strategy
// pick the next texts, repeat to the budget — and reports learning curves (labels → test macro-F1).
import type { z } from 'zod'
import type { HandlersOf } from '../../preload/contract'
import type {
  SimulatePointDto,
  SimulateResultDto,
  SimulateStrategy,
  simulateConfigSchema,
  simulateFilesSchema,
} from '../../preload/contract/simulate'
import { TFIDF_VECTOR_DIM, tfidfVectors } from '../ml/active/out-of-fold'
import { pickDiverse, pickRandom, rankByUncertainty } from '../ml/active/strategies'
import { argmax, classificationReport } from '../ml/eval/metrics'
import type { HashedGrams } from '../ml/models/baseline-tfidf'
import { DEFAULT_SEED } from '../ml/train/defaults'
import { Rng } from '../ml/train/rng'
import { apportion } from '../ml/train/split'
import { CtsError } from '../shared'
import { SIMULATE_MODEL_DESCRIPTION, fitRound, textGrams } from './simulate-model'
import { labelIndices, labelOrder, readTextsFile } from './training-files'

export type SimulateFiles = z.output<typeof simulateFilesSchema>
export type SimulateConfigArgs = z.output<typeof simulateConfigSchema>

/** Numbers a `cts simulate` without the flag uses. */
export const SIMULATE_DEFAULTS = {
  seedSize: 20,
  step: 20,
  budget: 200,
  repeats: 3,
  seed: DEFAULT_SEED,
}

export interface SimulateConfig {
  strategies: SimulateStrategy[]
  seedSize: number
  step: number
  budget: number
  repeats: number
  seed: number
}

export interface SimulateData {
  labels: string[]
  train: { texts: string[]; labels: number[] }
  test: { texts: string[]; labels: number[] }
}

export interface SimulateOptions {
  signal?: AbortSignal
  /** After each fitted round: which strategy, repeat and labels, and its test macro-F1. */
  onRound?: (r: {
    strategy: SimulateStrategy
    repeat: number
    labels: number
    macroF1: number
  }) => void
}

/** A bad-input naming one argument of 'simulate/run' (the CLI turns the path into its flag). */
function argError(path: string[], must: string, sentence: string): CtsError {
  return new CtsError('bad-input', sentence, {
    issues: [{ path, message: must, fromSchema: false }],
  })
}

/** The label counts of a curve: seedSize, +step … up to budget (the last step may be shorter). */
export function curveLabels(seedSize: number, step: number, budget: number): number[] {
  const out = [seedSize]
  while (out[out.length - 1] < budget) out.push(Math.min(budget, out[out.length - 1] + step))
  return out
}

/** Seeded sample of `size` training texts, stratified by label (largest remainders per class). */
export function seedSample(
  labels: number[],
  numClasses: number,
  size: number,
  seed: number,
): number[] {
  const rng = new Rng(seed)
  const byClass = Array.from({ length: numClasses }, () => [] as number[])
  labels.forEach((y, i) => byClass[y].push(i))
  const counts = apportion(
    byClass.map((c) => c.length),
    size / labels.length,
  )
  return byClass
    .flatMap((members, y) => rng.shuffle([...members]).slice(0, counts[y]))
    .sort((a, b) => a - b)
}

/** Seed of the random strategy's pick after round `round` of the repeat seeded `repeatSeed`. */
function pickSeed(repeatSeed: number, round: number): number {
  return (Math.imul(repeatSeed + 1, 0x9e3779b1) ^ (round + 1)) >>> 0
}

function macroF1(probs: Float64Array[], truth: number[], numClasses: number): number {
  const pred = probs.map((p) => argmax(p))
  return classificationReport(truth, pred, [...Array(numClasses).keys()]).macro.f1
}

function meanSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length
  if (xs.length < 2) return { mean, sd: 0 }
  const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)
  return { mean, sd: Math.sqrt(v) }
}

/** What the rounds read of the texts, computed once per simulation (when first needed). */
interface Features {
  testGrams(): HashedGrams[]
  /** For uncertainty: the training texts' n-grams, scored by each round's model. */
  trainGrams(): HashedGrams[]
  /**
   * For diversity: the training texts' TF-IDF vectors over the whole file — like the queue's,
   * independent of the round's model.
   */
  vectors(): Float32Array[]
}

function featuresOf(data: SimulateData): Features {
  const once = <T>(make: () => T): (() => T) => {
    let value: T | undefined
    return () => (value ??= make())
  }
  return {
    testGrams: once(() => data.test.texts.map(textGrams)),
    trainGrams: once(() => data.train.texts.map(textGrams)),
    vectors: once(() => tfidfVectors(data.train.texts)),
  }
}

/** One curve of one repeat: test macro-F1 at each label count. */
async function simulateRun(
  data: SimulateData,
  strategy: SimulateStrategy,
  start: number[],
  repeatSeed: number,
  config: SimulateConfig,
  features: Features,
  report: (labels: number, f1: number) => void,
  signal?: AbortSignal,
): Promise<number[]> {
  const k = data.labels.length
  const labelled = [...start]
  const isLabelled = new Uint8Array(data.train.texts.length)
  for (const i of labelled) isLabelled[i] = 1
  const scores: number[] = []
  for (let round = 0; ; round++) {
    if (signal?.aborted) throw new CtsError('cancelled', 'The simulation was cancelled.')
    const model = await fitRound(
      labelled.map((i) => data.train.texts[i]),
      labelled.map((i) => data.train.labels[i]),
      k,
      repeatSeed,
      signal,
    )
    const f1 = macroF1(model.probabilities(features.testGrams()), data.test.labels, k)
    scores.push(f1)
    report(labelled.length, f1)
    if (labelled.length >= config.budget) return scores
    const n = Math.min(config.step, config.budget - labelled.length)
    const pool: number[] = []
    isLabelled.forEach((l, i) => l || pool.push(i))
    let picks: number[]
    if (strategy === 'random') {
      picks = pickRandom(pool.length, n, pickSeed(repeatSeed, round))
    } else if (strategy === 'uncertainty') {
      const grams = features.trainGrams()
      const pooled = pool.map((i) => grams[i])
      picks = rankByUncertainty(model.probabilities(pooled), 'margin').slice(0, n)
    } else {
      const v = features.vectors()
      picks = pickDiverse(
        pool.map((i) => v[i]),
        labelled.map((i) => v[i]),
        n,
      )
    }
    for (const p of picks) {
      labelled.push(pool[p])
      isLabelled[pool[p]] = 1
    }
  }
}

/** Learning curves of each strategy over `config.repeats` repeats (repeat r seeded seed + r). */
export async function simulateLearning(
  data: SimulateData,
  config: SimulateConfig,
  options: SimulateOptions = {},
): Promise<SimulateResultDto> {
  const started = performance.now()
  const k = data.labels.length
  const n = data.train.texts.length
  if (k < 2) {
    throw argError(
      ['files', 'train'],
      `must hold texts of at least 2 labels (it has ${k}).`,
      `The training file must hold texts of at least 2 labels (it has ${k}).`,
    )
  }
  if (config.seedSize > n) {
    throw argError(
      ['config', 'seedSize'],
      `must be at most the number of training texts (${n}; got ${config.seedSize}).`,
      `The seed sample (${config.seedSize}) must be at most the number of training texts (${n}).`,
    )
  }
  if (config.budget < config.seedSize || config.budget > n) {
    const must = `must be from the seed size (${config.seedSize}) to the number of training texts (${n}); got ${config.budget}.`
    throw argError(['config', 'budget'], must, `The label budget ${must}`)
  }
  const points = curveLabels(config.seedSize, config.step, config.budget)
  const runs = new Map<SimulateStrategy, number[][]>(config.strategies.map((s) => [s, []]))
  const features = featuresOf(data)
  for (let r = 0; r < config.repeats; r++) {
    const repeatSeed = config.seed + r
    // Every strategy starts from the same seed sample in a repeat: the curves are paired.
    const start = seedSample(data.train.labels, k, config.seedSize, repeatSeed)
    for (const strategy of config.strategies) {
      const scores = await simulateRun(
        data,
        strategy,
        start,
        repeatSeed,
        config,
        features,
        (labels, macroF1) => options.onRound?.({ strategy, repeat: r, labels, macroF1 }),
        options.signal,
      )
      runs.get(strategy)!.push(scores)
    }
  }
  const curves: SimulateResultDto['curves'] = {}
  for (const [strategy, scores] of runs) {
    curves[strategy] = points.map((labels, i): SimulatePointDto => {
      const { mean, sd } = meanSd(scores.map((s) => s[i]))
      return { labels, macroF1Mean: mean, macroF1Sd: sd, runs: scores.length }
    })
  }
  return {
    settings: {
      ...config,
      labels: data.labels,
      trainTexts: n,
      testTexts: data.test.texts.length,
      skipped: { train: 0, test: 0 },
      model: SIMULATE_MODEL_DESCRIPTION,
      uncertainty:
        'margin between the two most probable labels of the current model, smallest first',
      diversity:
        `k-centre greedy (cosine) over the training texts' TF-IDF vectors (hashed to ` +
        `${TFIDF_VECTOR_DIM} dimensions), farthest from the labelled texts first`,
    },
    curves,
    reach: reachOf(curves, config.budget),
    seconds: (performance.now() - started) / 1000,
  }
}

/** Labels each strategy's mean curve needed to reach random's mean macro-F1 at the budget. */
export function reachOf(
  curves: SimulateResultDto['curves'],
  budget: number,
): SimulateResultDto['reach'] {
  const random = curves.random
  if (!random) return null
  const target = random[random.length - 1].macroF1Mean
  const strategies: NonNullable<SimulateResultDto['reach']>['strategies'] = {}
  for (const [s, curve] of Object.entries(curves) as [SimulateStrategy, SimulatePointDto[]][]) {
    if (s === 'random') continue
    const hit = curve.find((p) => p.macroF1Mean >= target)
    strategies[s] = { labels: hit?.labels ?? null, ratio: hit ? hit.labels / budget : null }
  }
  return { randomFinalMacroF1: target, strategies }
}

/** Read the files as `cts train --train/--test` does, then simulate. */
export async function simulateFiles(
  files: SimulateFiles,
  config: SimulateConfigArgs,
  options: SimulateOptions = {},
): Promise<SimulateResultDto> {
  const cols = { textColumn: files.textColumn, labelColumn: files.labelColumn }
  const train = await readTextsFile(files.train, cols, true, 'train')
  const test = await readTextsFile(files.test, cols, true, 'test')
  const labels = labelOrder(train.labels as string[])
  const data: SimulateData = {
    labels,
    train: { texts: train.texts, labels: labelIndices(train.labels, labels, files.train) },
    test: { texts: test.texts, labels: labelIndices(test.labels, labels, files.test) },
  }
  const result = await simulateLearning(data, withDefaults(config), options)
  result.settings.skipped = { train: train.skipped, test: test.skipped }
  return result
}

/** The contract's config with SIMULATE_DEFAULTS for every number left out. */
export function withDefaults(config: SimulateConfigArgs): SimulateConfig {
  const d = SIMULATE_DEFAULTS
  return {
    strategies: config.strategies,
    seedSize: config.seedSize ?? d.seedSize,
    step: config.step ?? d.step,
    budget: config.budget ?? d.budget,
    repeats: config.repeats ?? d.repeats,
    seed: config.seed ?? d.seed,
  }
}

/** The contract's 'simulate/run' (the CLI's `cts simulate`; the window does not offer it). */
export function simulateHandlers(): HandlersOf<'simulate/run'> {
  return { 'simulate/run': async ({ files, config }) => simulateFiles(files, config) }
}
