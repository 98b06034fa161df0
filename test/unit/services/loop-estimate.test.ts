// The audit estimate's numbers: exact point values, macro-F1 intervals identical to the evaluation
// report's bootstrap (main/ml/eval/bootstrap.ts) on the same labels, Wilson intervals for accuracy.
import { describe, expect, it } from 'vitest'
import { bootstrapIntervals } from '../../../main/ml/eval/bootstrap'
import { auditEstimate } from '../../../main/services/loop-estimate'

describe('auditEstimate', () => {
  it('is null without labelled audit texts', () => {
    expect(auditEstimate([], [])).toBeNull()
  })

  it('gives accuracy and macro-F1 with the report bootstrap’s macro-F1 interval', () => {
    // Label ids 7 and 9 (any ids): 6 of 8 right; class 7: P 3/4 R 3/4, class 9: P 3/4 R 3/4.
    const truth = [7, 7, 7, 7, 9, 9, 9, 9]
    const pred = [7, 7, 7, 9, 9, 9, 9, 7]
    const e = auditEstimate(truth, pred)!
    expect(e.n).toBe(8)
    expect(e.accuracy).toBe(0.75)
    expect(e.macroF1).toBe(0.75)
    const ref = bootstrapIntervals(
      truth.map((l) => (l === 7 ? 0 : 1)),
      pred.map((l) => (l === 7 ? 0 : 1)),
      2,
    )
    expect(e.macroF1Ci).toEqual([ref.macroF1.lower, ref.macroF1.upper])
    // Wilson's score interval for 6 of 8 (statsmodels' proportion_confint method='wilson').
    expect(e.accuracyCi[0]).toBeCloseTo(0.40927543031016883, 12)
    expect(e.accuracyCi[1]).toBeCloseTo(0.9285207872478909, 12)
  })

  it('keeps an honest accuracy interval when a few audit texts are all right', () => {
    const e = auditEstimate([4, 5, 4], [4, 5, 4])!
    expect(e.accuracy).toBe(1)
    // A percentile bootstrap would give [1, 1] here; Wilson gives the textbook [0.4385, 1].
    expect(e.accuracyCi[0]).toBeCloseTo(0.4385029682449546, 12)
    expect(e.accuracyCi[1]).toBe(1)
  })

  it('counts a predicted label no audit text has (macro-F1 over both)', () => {
    const e = auditEstimate([1, 1], [1, 2])!
    expect(e.accuracy).toBe(0.5)
    // Label 1: P 1, R 0.5, F1 2/3; label 2: F1 0 → macro 1/3.
    expect(e.macroF1).toBeCloseTo(1 / 3, 12)
  })
})
