// Operating points of a binary classifier: for each threshold on the positive-class probability,
// sensitivity, specificity and (by Bayes' rule at a user-entered prevalence) PPV and NPV; and the
// threshold that reaches a target sensitivity with the best specificity.
import { thresholdCounts } from './curves'

export interface OperatingPoint {
  /** A text is called positive when its positive-class score is >= threshold. */
  threshold: number
  tp: number
  fp: number
  tn: number
  fn: number
  sensitivity: number
  specificity: number
  /** Positive predictive value at the given prevalence: sens·prev / (sens·prev + (1−spec)(1−prev)). */
  ppv: number | null
  /** Negative predictive value at the given prevalence: spec·(1−prev) / (spec·(1−prev) + (1−sens)·prev). */
  npv: number | null
}

export interface OperatingTable {
  prevalence: number
  positives: number
  negatives: number
  /** One row per distinct score, threshold decreasing (sensitivity increasing). */
  rows: OperatingPoint[]
}

/** PPV by Bayes' rule; null when nothing would be called positive (0/0). */
export function ppvAt(sensitivity: number, specificity: number, prevalence: number): number | null {
  const num = sensitivity * prevalence
  const den = num + (1 - specificity) * (1 - prevalence)
  return den === 0 ? null : num / den
}

/** NPV by Bayes' rule; null when nothing would be called negative (0/0). */
export function npvAt(sensitivity: number, specificity: number, prevalence: number): number | null {
  const num = specificity * (1 - prevalence)
  const den = num + (1 - sensitivity) * prevalence
  return den === 0 ? null : num / den
}

function checkProbability(name: string, v: number, open: boolean): void {
  const ok = open ? v > 0 && v < 1 : v >= 0 && v <= 1
  if (!Number.isFinite(v) || !ok) {
    throw new RangeError(
      `${name} must be a number ${open ? 'strictly between 0 and 1' : 'from 0 to 1'} (got ${v})`,
    )
  }
}

/**
 * The full table over thresholds. `isPositive[i]` says whether text i truly has the positive
 * class, `scores[i]` is its positive-class probability; `prevalence` is the expected share of
 * positives where the model will be used (not necessarily the test set's).
 */
export function operatingTable(
  isPositive: ArrayLike<boolean | number>,
  scores: ArrayLike<number>,
  prevalence: number,
): OperatingTable {
  checkProbability('The prevalence', prevalence, true)
  const c = thresholdCounts(isPositive, scores)
  if (c.positives === 0 || c.negatives === 0) {
    throw new RangeError(
      'Sensitivity and specificity need both positive and negative texts in the evaluated set',
    )
  }
  const rows = c.thresholds.map((threshold, i) => {
    const tp = c.tps[i]
    const fp = c.fps[i]
    const sensitivity = tp / c.positives
    const specificity = 1 - fp / c.negatives
    return {
      threshold,
      tp,
      fp,
      tn: c.negatives - fp,
      fn: c.positives - tp,
      sensitivity,
      specificity,
      ppv: ppvAt(sensitivity, specificity, prevalence),
      npv: npvAt(sensitivity, specificity, prevalence),
    }
  })
  return { prevalence, positives: c.positives, negatives: c.negatives, rows }
}

/**
 * The highest threshold whose sensitivity is at least `targetSensitivity`; since sensitivity only
 * grows as the threshold falls, this is the one with the best specificity among those that qualify.
 */
export function pointForSensitivity(
  table: OperatingTable,
  targetSensitivity: number,
): OperatingPoint {
  checkProbability('The target sensitivity', targetSensitivity, false)
  // The last row calls every text positive, so sensitivity 1 is always reachable.
  const row = table.rows.find((r) => r.sensitivity >= targetSensitivity)
  return row ?? table.rows[table.rows.length - 1]
}
