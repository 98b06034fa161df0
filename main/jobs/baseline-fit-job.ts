// The baseline's part of a train job: fit the TF-IDF logistic regression (baseline-fit.ts) and
// describe it in the trainer's result shape, so scoring, saving and recording stay shared with
// the fine-tunes. The fit has no epochs: it is recorded as one "epoch" (the chosen C's fit) and
// the C search goes into the run's metrics.json.
import type { ClassifierAdapter } from '../ml/train/classifier-adapter'
import type { TrainResult } from '../ml/train/trainer'
import { createBaselineAdapter } from '../ml/models/baseline-adapter'
import {
  BASELINE_C_GRID,
  BaselineFitCancelled,
  fitTfidfBaseline,
  type BaselineTrial,
} from '../ml/models/baseline-fit'
import { writeTfidfVocabulary } from '../ml/models/baseline-tfidf'
import { JobCancelledError, type JobContext } from './job-worker'
import type { TrainHyper, TrainJobInput } from './train-job'
import type { BaselineSearchEntry } from '../../preload/contract/job-results'

/**
 * The settings a baseline run records: only those its fit uses, and how it is fitted (epochs,
 * batch size, learning rate and the loop policy do not apply, so an audit never reads them).
 */
export function baselineRunSettings(h: TrainHyper): Record<string, unknown> {
  return {
    maxLength: h.maxLength,
    seed: h.seed,
    device: 'cpu',
    classWeights: h.classWeights,
    ...(h.recipe ? { recipe: h.recipe } : {}),
    fit: `logistic regression on TF-IDF word 1–2-grams and character 1–4-grams, L-BFGS to convergence, C from {${BASELINE_C_GRID.join(', ')}} chosen on dev macro-F1`,
  }
}

export type { BaselineSearchEntry } from '../../preload/contract/job-results'

export interface BaselineFitRun {
  result: TrainResult
  search: BaselineSearchEntry[]
  /** The trained adapter (for the bundle) and the extra file the bundle needs. */
  adapter: ClassifierAdapter
  writeExtraFiles: (dir: string) => void
}

export async function fitBaselineRun(
  input: TrainJobInput,
  ctx: JobContext<'train'>,
): Promise<BaselineFitRun> {
  const h = input.hyper
  ctx.report({ phase: 'fitting baseline' })
  let fit
  try {
    fit = await fitTfidfBaseline({
      train: input.train,
      dev: input.dev,
      numClasses: input.labels.length,
      maxFeatures: h.maxLength,
      classWeights: h.classWeights,
      seed: h.seed,
      signal: ctx.signal,
      onProgress: (p) =>
        ctx.report({
          phase: 'fitting baseline',
          step: p.trial,
          total: p.trials,
          metrics: { c: p.c, trial: p.trial + 1, trials: p.trials, iteration: p.iteration },
        }),
    })
  } catch (e) {
    if (e instanceof BaselineFitCancelled) throw new JobCancelledError()
    throw e
  }
  const chosen: BaselineTrial = fit.trials[fit.chosen]
  const { vocab } = fit
  return {
    result: {
      epochs: [
        {
          epoch: 1,
          trainLoss: chosen.trainLoss,
          learningRate: 0,
          seconds: fit.trainSeconds,
          ...(chosen.dev ? { dev: chosen.dev } : {}),
        },
      ],
      bestEpoch: 1,
      weights: fit.weights,
      provider: 'cpu',
      trainSeconds: fit.trainSeconds,
      samplesPerSecond: input.train.texts.length / Math.max(1e-9, fit.trainSeconds),
      stoppedEarly: false,
      resumedEpochs: 0,
    },
    search: fit.trials.map((t, i) => ({
      c: t.c,
      devMacroF1: t.devMacroF1,
      trainLoss: t.trainLoss,
      iterations: t.iterations,
      converged: t.converged,
      seconds: t.seconds,
      chosen: i === fit.chosen,
    })),
    adapter: createBaselineAdapter(
      fit.config,
      h.lengthMultiple,
      fit.weights,
      vocab,
    ) as unknown as ClassifierAdapter,
    writeExtraFiles: (dir) => writeTfidfVocabulary(dir, vocab),
  }
}
