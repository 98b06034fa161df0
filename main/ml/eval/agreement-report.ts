// Agreement figures with percentile-bootstrap 95 % intervals (texts resampled with replacement,
// seeded): Cohen's κ for every annotator pair, Fleiss' κ (complete tables only), Krippendorff's α;
// overall for single-label projects and per label (present/absent) for multi-label ones.
import { CtsError } from '../../shared/errors'
import { Rng } from '../train/rng'
import {
  checkRatings,
  cohenKappa,
  completeRaters,
  countTable,
  fleissKappa,
  krippendorffAlphaFromCounts,
  labelPresence,
  type LabelSetMatrix,
  type RatingMatrix,
} from './agreement'
import { percentile } from './bootstrap'
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE_LEVEL } from './eval-defaults'

/**
 * A statistic and its interval. Resamples where the statistic is undefined (NaN, e.g. every drawn
 * text has one category) are left out of the percentiles and counted; lower/upper are NaN when
 * every resample was undefined. The estimate is NaN when undefined on the texts themselves.
 */
export interface AgreementInterval {
  estimate: number
  lower: number
  upper: number
  undefinedResamples: number
}

export interface AgreementOptions {
  resamples?: number
  level?: number
  seed?: number
}

export interface PairKappa {
  /** Annotator column indices, a < b. */
  a: number
  b: number
  /** Texts both annotated (the κ is computed and resampled on these). */
  texts: number
  kappa: AgreementInterval
}

export interface AgreementReport {
  texts: number
  annotators: number
  numCategories: number
  resamples: number
  level: number
  seed: number
  cohen: PairKappa[]
  /** null when the table is incomplete (texts rated by different numbers of annotators, or < 2). */
  fleiss: AgreementInterval | null
  alpha: AgreementInterval
}

export interface MultiLabelAgreementReport {
  numLabels: number
  /** perLabel[l]: agreement on "label l present" (category 1) vs absent (category 0). */
  perLabel: AgreementReport[]
}

/**
 * Percentile bootstrap of `statistic` over `n` items: each resample draws n item indices with
 * replacement from a seeded Rng (same seed → same intervals).
 */
export function bootstrapStatistic(
  n: number,
  statistic: (indices: number[]) => number,
  options: AgreementOptions = {},
): AgreementInterval {
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES
  const level = options.level ?? CONFIDENCE_LEVEL
  const rng = new Rng(options.seed ?? BOOTSTRAP_SEED)
  const all = Array.from({ length: n }, (_, i) => i)
  const estimate = statistic(all)
  const values: number[] = []
  let undefinedResamples = 0
  const idx = new Array<number>(n)
  for (let r = 0; r < resamples; r++) {
    for (let j = 0; j < n; j++) idx[j] = rng.int(n)
    const v = n === 0 ? NaN : statistic(idx)
    if (Number.isNaN(v)) undefinedResamples++
    else values.push(v)
  }
  if (values.length === 0) return { estimate, lower: NaN, upper: NaN, undefinedResamples }
  values.sort((x, y) => x - y)
  const alpha = (1 - level) / 2
  return {
    estimate,
    lower: percentile(values, 100 * alpha),
    upper: percentile(values, 100 * (1 - alpha)),
    undefinedResamples,
  }
}

/** All agreement figures for ratings[text][annotator] (null = not annotated) over numCategories. */
export function agreementReport(
  ratings: RatingMatrix,
  numCategories: number,
  options: AgreementOptions = {},
): AgreementReport {
  const annotators = checkRatings(ratings, numCategories)
  const cohen: PairKappa[] = []
  for (let a = 0; a < annotators; a++) {
    for (let b = a + 1; b < annotators; b++) {
      const both = ratings.filter((row) => row[a] !== null && row[b] !== null)
      const ya = both.map((row) => row[a])
      const yb = both.map((row) => row[b])
      const kappa = bootstrapStatistic(
        both.length,
        (ix) =>
          cohenKappa(
            ix.map((i) => ya[i]),
            ix.map((i) => yb[i]),
          ),
        options,
      )
      cohen.push({ a, b, texts: both.length, kappa })
    }
  }
  const counts = countTable(ratings, numCategories)
  const pick = (ix: number[]): number[][] => ix.map((i) => counts[i])
  // Resampling texts of a complete table keeps it complete, so fleissKappa never throws inside.
  const fleiss =
    completeRaters(counts) === null
      ? null
      : bootstrapStatistic(counts.length, (ix) => fleissKappa(pick(ix)), options)
  const alpha = bootstrapStatistic(
    counts.length,
    (ix) => krippendorffAlphaFromCounts(pick(ix)),
    options,
  )
  return {
    texts: ratings.length,
    annotators,
    numCategories,
    resamples: options.resamples ?? BOOTSTRAP_RESAMPLES,
    level: options.level ?? CONFIDENCE_LEVEL,
    seed: options.seed ?? BOOTSTRAP_SEED,
    cohen,
    fleiss,
    alpha,
  }
}

/**
 * Multi-label projects: each label as its own present/absent variable (a label nobody used has
 * every figure NaN: there is no disagreement to measure and no chance model to beat).
 */
export function multiLabelAgreementReport(
  sets: LabelSetMatrix,
  numLabels: number,
  options: AgreementOptions = {},
): MultiLabelAgreementReport {
  sets.forEach((row, i) =>
    row.forEach((s, a) =>
      s?.forEach((l) => {
        if (!(Number.isInteger(l) && l >= 0 && l < numLabels)) {
          throw new CtsError(
            'bad-input',
            `Text ${i + 1}, annotator ${a + 1}: label ${l} is not one of the ${numLabels} labels.`,
          )
        }
      }),
    ),
  )
  const perLabel = Array.from({ length: numLabels }, (_, l) =>
    agreementReport(labelPresence(sets, l), 2, options),
  )
  return { numLabels, perLabel }
}
