// The model a simulation refits after every step: the TF-IDF baseline (fixed C, no dev texts),
// and the class probabilities that uncertainty sampling and the test score read from it.
import { baselineProbabilities } from '../ml/active/out-of-fold'
import { BASELINE_DEFAULT_C, fitTfidfBaseline } from '../ml/models/baseline-fit'
import { hashedGrams, type HashedGrams } from '../ml/models/baseline-tfidf'
import { BASELINE_DEFAULTS } from '../ml/train/defaults'

/** What `cts train --model baseline` reads per text; C is the fit's default without dev texts. */
export const SIMULATE_MODEL = {
  maxFeatures: BASELINE_DEFAULTS.maxLength,
  c: BASELINE_DEFAULT_C,
  classWeights: false,
  /** The baseline's longest character n-gram (baseline-fit.ts reads texts with it). */
  charMax: 4,
} as const

export const SIMULATE_MODEL_DESCRIPTION =
  `TF-IDF baseline (word 1–2 + char 1–4-grams, logistic regression by L-BFGS), refitted on the ` +
  `labelled texts after every step with fixed C = ${SIMULATE_MODEL.c} (no C search: nothing is ` +
  `held out of the labels, and the test file never chooses anything)`

/** A text's n-grams, hashed once per simulation and read by every round's model. */
export const textGrams = (text: string): HashedGrams =>
  hashedGrams(text, { charMax: SIMULATE_MODEL.charMax })

export interface RoundModel {
  /** Class probabilities of texts (as textGrams) under the model, in input order. */
  probabilities(grams: HashedGrams[]): Float64Array[]
}

/** Fit the baseline on the labelled texts of one round. */
export async function fitRound(
  texts: string[],
  labels: number[],
  numClasses: number,
  seed: number,
  signal?: AbortSignal,
): Promise<RoundModel> {
  const fit = await fitTfidfBaseline({
    train: { texts, labels },
    numClasses,
    maxFeatures: SIMULATE_MODEL.maxFeatures,
    classWeights: SIMULATE_MODEL.classWeights,
    seed,
    signal,
  })
  return { probabilities: (grams) => baselineProbabilities(fit, grams, SIMULATE_MODEL.maxFeatures) }
}
